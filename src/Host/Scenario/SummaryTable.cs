using System.Globalization;
using System.Text;

namespace ActorVisor.Host.Scenario;

/// <summary>Renders a run's summary: one row per domain, then the checks.</summary>
public static class SummaryTable
{
    public static string Render(ScenarioOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var rows = new List<string[]> { new[] { "domain", "id", "state", "exit reason", "cpu time", "instructions", "hypercalls", "cpu share" } };
        long capacity = Math.Max(1, outcome.EndNs * Math.Max(1, outcome.PhysicalCpus));
        foreach (var d in outcome.Domains)
        {
            rows.Add(
            [
                d.Name,
                d.DomainId.ToString(CultureInfo.InvariantCulture),
                d.State.ToString().ToLowerInvariant() + (d.Restarts > 0 ? $" ({d.Restarts} restarts)" : ""),
                Shorten(d.ExitReason ?? "-", 48),
                Checks.FormatNs(d.CpuNs),
                d.Instructions.ToString(CultureInfo.InvariantCulture),
                d.Hypercalls.ToString(CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{100.0 * d.CpuNs / capacity:0.0} %"),
            ]);
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"virtual time {Checks.FormatNs(outcome.EndNs)} on {outcome.PhysicalCpus} physical CPUs\n");
        int[] widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
        }

        AppendIopms(text, outcome);
        foreach (var check in outcome.Checks)
        {
            text.Append(check.Passed ? "PASS " : "FAIL ").Append(check.Check).Append(": ").Append(check.Detail).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// One row per IOPM when any served a device: devices, requests, refused requests, bytes, service
    /// calls, restarts by its supervisors (of the IOPM, then of single back-ends), and in parallel runs the host time its threads spent servicing (a wall-clock figure,
    /// left out of deterministic runs so that their output stays reproducible).
    /// </summary>
    private static void AppendIopms(StringBuilder text, ScenarioOutcome outcome)
    {
        if (!outcome.Iopms.Any(i => i.DevicesServed > 0))
        {
            return;
        }

        var header = new List<string> { "iopm", "id", "devices", "requests", "errors", "bytes", "services", "restarts" };
        if (outcome.Parallel)
        {
            header.Add("busy (host)");
        }

        var rows = new List<string[]> { header.ToArray() };
        foreach (var i in outcome.Iopms)
        {
            var row = new List<string>
            {
                i.Name,
                i.DomainId.ToString(CultureInfo.InvariantCulture),
                string.Create(CultureInfo.InvariantCulture, $"{i.Devices} ({i.DevicesServed} served)"),
                i.Requests.ToString(CultureInfo.InvariantCulture),
                i.Errors.ToString(CultureInfo.InvariantCulture),
                i.Bytes.ToString(CultureInfo.InvariantCulture),
                i.Services.ToString(CultureInfo.InvariantCulture),
                Restarts(i),
            };
            if (outcome.Parallel)
            {
                row.Add(Checks.FormatNs(i.BusyNs));
            }

            rows.Add(row.ToArray());
        }

        int[] widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            text.Append(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
        }
    }

    /// <summary>The IOPM's own restarts, then its back-ends' (<c>2 + 3 back-end</c>), and <c>replaced</c> when it went past its budget.</summary>
    private static string Restarts(Iopm.IopmInfo iopm)
    {
        int backends = iopm.BackendRestarts.Values.Sum();
        string text = iopm.Restarts.ToString(CultureInfo.InvariantCulture) + (backends > 0 ? $" + {backends} back-end" : "");
        return iopm.Replaced ? text + ", replaced" : text;
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 3), "...");
}
