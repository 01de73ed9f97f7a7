using System.Diagnostics;

namespace ActorVisor.Actors.Bench;

/// <summary>
/// Plain Stopwatch harness for Akka.NET as the host uses it (docs/perf/actors.md keeps the home-made kernel's rows). Each benchmark runs a warm-up round and then
/// several measured rounds and prints every round and the median.
/// Usage: dotnet run -c Release --project bench/Actors.Bench -- all|pingpong|fanin|ask|create|deterministic
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var which = args.Length == 0 ? "" : args[0];
        var benchmarks = new (string Name, Func<Task> Run)[]
        {
            ("pingpong", PingPongBenchmark.RunAll),
            ("fanin", FanInBenchmark.Run),
            ("ask", AskBenchmark.Run),
            ("create", CreationBenchmark.Run),
            ("deterministic", DeterministicBenchmark.Run),
        };
        var selected = benchmarks.Where(b => which == "all" || which == b.Name).ToList();
        if (selected.Count == 0)
        {
            await Console.Error.WriteLineAsync("usage: dotnet run -c Release --project bench/Actors.Bench -- all|pingpong|fanin|ask|create|deterministic").ConfigureAwait(false);
            return 2;
        }
        Console.WriteLine($"{Environment.ProcessorCount} logical cores, {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");
        foreach (var (_, run) in selected)
        {
            await run().ConfigureAwait(false);
        }
        return 0;
    }

    /// <summary>Runs <paramref name="round"/> once to warm up and <paramref name="rounds"/> times measured; returns the median of its figure.</summary>
    public static async Task<double> Measure(string label, string unit, int rounds, Func<Task<double>> round)
    {
        await round().ConfigureAwait(false);
        var figures = new List<double>();
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        for (var i = 0; i < rounds; i++)
        {
            figures.Add(await round().ConfigureAwait(false));
        }
        figures.Sort();
        var median = figures[figures.Count / 2];
        var gc = $"GCs gen0/1/2 {GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}";
        Console.WriteLine($"{label,-48} median {median,12:N0} {unit}   rounds: {string.Join(", ", figures.Select(f => f.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}   {gc}");
        return median;
    }

    public static double PerSecond(long count, Stopwatch watch) => count / watch.Elapsed.TotalSeconds;
}
