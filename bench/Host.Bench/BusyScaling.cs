using System.Diagnostics;
using ActorVisor.Host.Domains;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Bench;

/// <summary>
/// Aggregate guest MIPS of 1, 2, 8 and 64 CPU-bound domains (busy.elf, 64-bit, about 9 million
/// instructions each) on two physical CPUs, round robin with 1 ms slices, in parallel mode and,
/// for comparison, in deterministic mode (every slice on one thread). Domains are built before
/// the clock starts; the clock stops when the last one has printed its PASS line. A set is run
/// again until it has taken a second in all (so that one domain's 30 ms do not drown in noise),
/// and the best of three such measurements is kept, the one least disturbed by other load.
/// </summary>
internal static class BusyScaling
{
    public static void Run(string guests)
    {
        var kernel = File.ReadAllBytes(Path.Combine(guests, "x86_64", "busy.elf"));
        Measure(kernel, 2, parallel: true);
        Measure(kernel, 2, parallel: false);
        Console.WriteLine("Aggregate guest MIPS, busy domains on 2 physical CPUs (round robin, 1 ms slices):");
        Console.WriteLine("| domains | parallel MIPS | vs 1 domain | per physical CPU vs 2 domains | deterministic (1 thread) MIPS |");
        Console.WriteLine("|---|---|---|---|---|");
        double? one = null;
        double? two = null;
        foreach (int n in new[] { 1, 2, 8, 64 })
        {
            double parallel = Best(kernel, n, parallel: true);
            double deterministic = Best(kernel, n, parallel: false);
            one ??= parallel;
            if (n == 2)
            {
                two = parallel;
            }

            string perCpu = two is { } t ? $"{100.0 * (parallel - t) / t:+0.0;-0.0} %" : "-";
            Console.WriteLine($"| {n} | {parallel:F0} | {parallel / one.Value:F2}x | {perCpu} | {deterministic:F0} |");
        }

        Console.WriteLine();
    }

    private static double Best(byte[] kernel, int count, bool parallel) =>
        Enumerable.Range(0, 3).Max(_ =>
        {
            long instructions = 0;
            double seconds = 0;
            while (seconds < 1.0)
            {
                var (i, s) = Measure(kernel, count, parallel);
                instructions += i;
                seconds += s;
            }

            return instructions / seconds / 1e6;
        });

    private static (long Instructions, double Seconds) Measure(byte[] kernel, int count, bool parallel)
    {
        int finished = 0;
        using var host = new HostDriver(
            new RoundRobinPolicy(1_000_000),
            2,
            parallel,
            line =>
            {
                if (line.Text == "PASS busy")
                {
                    finished++;
                }
            });
        for (int i = 0; i < count; i++)
        {
            host.Ask(new Create(HostDriver.Spec($"b{i}", 8, ""), kernel));
        }

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            host.Ask(new Unpause($"b{i}"));
        }

        host.RunUntil(() => finished == count, 1_000_000_000_000);
        clock.Stop();
        if (finished != count)
        {
            throw new InvalidOperationException($"only {finished} of {count} busy domains finished");
        }

        return (host.List().Sum(d => d.Instructions), clock.Elapsed.TotalSeconds);
    }
}
