using System.Diagnostics;
using ActorVisor.Host.Domains;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Bench;

/// <summary>
/// Interdomain event round trips: two pingpong guests (64-bit) exchange 5 000 events each way over
/// one channel, each blocking between events. Virtual and host time are taken when the binding
/// side's first ping is printed and when its last pong is, so building and starting the pair is
/// left out. Five runs are made; the table shows the median (and the best host figure, the least
/// disturbed by other load on the machine).
/// </summary>
internal static class EventLatency
{
    private const int Rounds = 5_000;

    public static void Run(string guests)
    {
        Console.WriteLine("Event channel send -> upcall -> reply (pingpong pair, round robin 10 ms slices):");
        Console.WriteLine("| physical CPUs | mode | virtual ns per round trip | host ns per round trip |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (cpus, parallel) in new[] { (1, false), (2, false), (2, true) })
        {
            Measure(guests, cpus, parallel);
            var samples = Enumerable.Range(0, 5).Select(_ => Measure(guests, cpus, parallel)).ToList();
            var host = samples.Select(s => s.HostNs).Order().ToList();
            Console.WriteLine($"| {cpus} | {(parallel ? "parallel" : "deterministic")} | {samples.Median(s => s.VirtualNs):F0} | {host[host.Count / 2]:F0} (best {host[0]:F0}) |");
        }

        Console.WriteLine();
    }

    private static (double VirtualNs, double HostNs) Measure(string guests, int cpus, bool parallel)
    {
        (long Virtual, long Host)? first = null;
        (long Virtual, long Host)? last = null;
        string done = $"pingpong: {Rounds} pongs from";
        var kernel = File.ReadAllBytes(Path.Combine(guests, "x86_64", "pingpong.elf"));
        using var host = new HostDriver(
            new RoundRobinPolicy(10_000_000),
            cpus,
            parallel,
            line =>
            {
                if (line.Domain == "b" && line.Text == "PASS first_ping")
                {
                    first = (line.TimeNs, Stopwatch.GetTimestamp());
                }
                else if (line.Text.StartsWith(done, StringComparison.Ordinal))
                {
                    last = (line.TimeNs, Stopwatch.GetTimestamp());
                }
            },
            [new EventChannelPair("a", "b")]);
        host.Ask(new Create(HostDriver.Spec("a", 16, $"rounds={Rounds}"), kernel));
        host.Ask(new Create(HostDriver.Spec("b", 16, $"rounds={Rounds}"), kernel));
        host.Ask(new Unpause("a"));
        host.Ask(new Unpause("b"));
        host.RunUntil(() => last is not null, 1_000_000_000_000);
        if (first is not { } from || last is not { } to)
        {
            throw new InvalidOperationException($"the pair did not finish {Rounds} round trips");
        }

        return ((to.Virtual - from.Virtual) / (double)Rounds, Stopwatch.GetElapsedTime(from.Host, to.Host).TotalNanoseconds / Rounds);
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
