using System.Diagnostics;
using ActorVisor.Host.Domains;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Bench;

/// <summary>
/// Interdomain event round trips: two pingpong guests (64-bit) exchange events over one channel,
/// each blocking between events. Runs of 200 and 5 200 round trips are timed; the difference
/// divided by 5 000 removes the cost of building and starting the pair. Five such differences are
/// taken; the table shows the median (and the best host figure, the least disturbed by other load).
/// </summary>
internal static class EventLatency
{
    private const int Short = 200;
    private const int Long = 5_200;

    public static void Run(string guests)
    {
        Console.WriteLine("Event channel send -> upcall -> reply (pingpong pair, round robin 10 ms slices):");
        Console.WriteLine("| physical CPUs | mode | virtual ns per round trip | host ns per round trip |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (cpus, parallel) in new[] { (1, false), (2, false), (2, true) })
        {
            Measure(guests, cpus, parallel, Short);
            var samples = Enumerable.Range(0, 5).Select(_ =>
            {
                var small = Measure(guests, cpus, parallel, Short);
                var large = Measure(guests, cpus, parallel, Long);
                double rounds = Long - Short;
                return ((large.VirtualNs - small.VirtualNs) / rounds, (large.HostNs - small.HostNs) / rounds);
            }).ToList();
            var host = samples.Select(s => s.Item2).Order().ToList();
            Console.WriteLine($"| {cpus} | {(parallel ? "parallel" : "deterministic")} | {samples.Median(s => s.Item1):F0} | {host[host.Count / 2]:F0} (best {host[0]:F0}) |");
        }

        Console.WriteLine();
    }

    private static (double VirtualNs, double HostNs) Measure(string guests, int cpus, bool parallel, int rounds)
    {
        long doneAt = -1;
        string done = $"pingpong: {rounds} pongs from";
        var kernel = File.ReadAllBytes(Path.Combine(guests, "x86_64", "pingpong.elf"));
        using var host = new HostDriver(
            new RoundRobinPolicy(10_000_000),
            cpus,
            parallel,
            line =>
            {
                if (line.Text.StartsWith(done, StringComparison.Ordinal))
                {
                    doneAt = line.TimeNs;
                }
            },
            [new EventChannelPair("a", "b")]);
        host.Ask(new Create(HostDriver.Spec("a", 16, $"rounds={rounds}"), kernel));
        host.Ask(new Create(HostDriver.Spec("b", 16, $"rounds={rounds}"), kernel));
        long startNs = host.NowNs;
        var clock = Stopwatch.StartNew();
        host.Ask(new Unpause("a"));
        host.Ask(new Unpause("b"));
        host.RunUntil(() => doneAt >= 0, 1_000_000_000_000);
        clock.Stop();
        return doneAt < 0
            ? throw new InvalidOperationException($"the pair did not finish {rounds} round trips")
            : (doneAt - startNs, clock.Elapsed.TotalNanoseconds);
    }
}

/// <summary>The median of a few samples.</summary>
internal static class SampleExtensions
{
    public static double Median<T>(this IEnumerable<T> samples, Func<T, double> value)
    {
        var sorted = samples.Select(value).Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
