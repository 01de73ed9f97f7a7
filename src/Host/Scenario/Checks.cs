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

    /// <summary>
    /// No I/O lost: every block request the domain (or every domain) published on its rings was
    /// answered by the time its connections ended (the domain's destruction, the front-end's close,
    /// a move, or the end of the run), counted by the back-ends as they disconnected.
    /// </summary>
    public static CheckOutcome Evaluate(NoIoLostCheck check, IReadOnlyList<DomainInfo> domains, IReadOnlyDictionary<int, long> unanswered)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(unanswered);
        string what = check.Domain is { } name ? $"no I/O of {name} is lost" : "no I/O is lost";
        var ids = check.Domain is { } only ? domains.Where(d => d.Name == only).Select(d => d.DomainId).ToHashSet() : unanswered.Keys.ToHashSet();
        var lost = unanswered.Where(p => ids.Contains(p.Key) && p.Value > 0).OrderBy(p => p.Key).ToList();
        if (lost.Count > 0)
        {
            string detail = string.Join(", ", lost.Select(p => string.Create(CultureInfo.InvariantCulture, $"{NameOf(domains, p.Key)}: {p.Value} requests unanswered")));
            return new CheckOutcome(what, false, detail);
        }

        return ids.Any(unanswered.ContainsKey)
            ? new CheckOutcome(what, true, "every block request was answered")
            : new CheckOutcome(what, true, "no block device was connected");
    }

    private static string NameOf(IReadOnlyList<DomainInfo> domains, int id) => domains.FirstOrDefault(d => d.DomainId == id)?.Name ?? $"domain {id}";

    /// <summary>Virtual time for humans, in milliseconds with microsecond precision.</summary>
    public static string FormatNs(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000.0:0.000} ms");
}
