namespace ActorVisor.Actors.Bench;

using System.Diagnostics;
using Akka.Actor;

/// <summary>One-way fan-in on Akka.NET (throughput 100): producer threads Tell one consumer as fast as they can.</summary>
public static class FanInBenchmark
{
    private const int PerProducer = 5_000_000;

    public static async Task Run()
    {
        var producers = Math.Max(1, Environment.ProcessorCount - 1);
        await Program.Measure($"fan-in one-way, {producers} producer thread(s)", "msg/s", 5, () => Round(producers)).ConfigureAwait(false);
    }

    private static async Task<double> Round(int producers)
    {
        using var system = AkkaSystems.Create("fanin", 100);
        var done = new ManualResetEventSlim();
        var total = (long)producers * PerProducer;
        var sink = system.ActorOf(Props.Create(() => new Sink(total, done)));
        var message = new object();
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, producers).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                sink.Tell(message, ActorRefs.NoSender);
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
