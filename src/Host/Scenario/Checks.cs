using System.Globalization;
using ActorVisor.Config.Scenario;
using ActorVisor.Host.Domains;

namespace ActorVisor.Host.Scenario;

/// <summary>Evaluates scenario checks against what a run recorded.</summary>
public static class Checks
{
    public static CheckOutcome Evaluate(ConsoleLineCheck check, IReadOnlyList<ConsoleLinePrinted> console)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(console);
        string what = $"{check.Domain} prints \"{check.Contains}\" within {FormatNs(check.WithinNs)}";
        var line = console.FirstOrDefault(l => l.Domain == check.Domain && l.Text.Contains(check.Contains, StringComparison.Ordinal));
        if (line is null)
        {
            return new CheckOutcome(what, false, "never printed");
        }

        return line.TimeNs <= check.WithinNs
            ? new CheckOutcome(what, true, $"at {FormatNs(line.TimeNs)}")
            : new CheckOutcome(what, false, $"only at {FormatNs(line.TimeNs)}");
    }

    public static CheckOutcome Evaluate(DomainStateCheck check, IReadOnlyList<DomainInfo> domains)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(domains);
        string expected = check.State.ToString().ToLowerInvariant();
        string what = check.AtNs is { } at ? $"{check.Domain} is {expected} at {FormatNs(at)}" : $"{check.Domain} is {expected} at the end";
        var info = domains.LastOrDefault(d => d.Name == check.Domain);
        if (info is null)
        {
            return new CheckOutcome(what, false, "the domain does not exist");
        }

        string actual = info.State.ToString().ToLowerInvariant();
        return new CheckOutcome(what, actual == expected, $"it is {actual}");
    }

    /// <summary>Virtual time for humans, in milliseconds with microsecond precision.</summary>
    public static string FormatNs(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000.0:0.000} ms");
}
