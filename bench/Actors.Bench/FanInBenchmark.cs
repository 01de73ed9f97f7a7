using System.Diagnostics;

namespace ActorVisor.Actors.Bench;

/// <summary>One-way fan-in: several producer threads Tell one consumer actor as fast as they can.</summary>
public static class FanInBenchmark
{
    private const int PerProducer = 5_000_000;

    public static async Task Run()
    {
        var producers = Math.Max(1, Environment.ProcessorCount - 1);
        await Program.Measure($"kernel fan-in one-way, {producers} producer thread(s)", "msg/s", 5, () => Round(producers)).ConfigureAwait(false);
        await Program.Measure($"akka   fan-in one-way, {producers} producer thread(s)", "msg/s", 5, () => OnAkka.AkkaFanIn.Round(producers)).ConfigureAwait(false);
    }

    private static async Task<double> Round(int producers)
    {
        using var system = ActorSystem.Create("fanin", new ActorSystemOptions { Throughput = 100, MinimumLogLevel = LogLevel.Warning });
        var done = new ManualResetEventSlim();
        var total = (long)producers * PerProducer;
        var sink = system.ActorOf(Props.Create(() => new Sink(total, done)));
        var message = new object();
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, producers).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                sink.Tell(message, null);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        done.Wait();
        watch.Stop();
        await system.Terminate().ConfigureAwait(false);
        return Program.PerSecond(total, watch);
    }

    private sealed class Sink(long expected, ManualResetEventSlim done) : UntypedActor
    {
        private long _count;

        protected override void OnReceive(object message)
        {
            if (++_count == expected)
            {
                done.Set();
            }
        }
    }
}
