using System.Diagnostics;

namespace ActorVisor.Actors.Bench;

/// <summary>Ask round trip: one caller awaits each reply before asking again, so the figure is latency, not throughput.</summary>
public static class AskBenchmark
{
    private const int Asks = 200_000;

    public static async Task Run()
    {
        await Program.Measure("kernel ask round trip, with 5 s timeout", "ns/ask", 5, () => Round(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        await Program.Measure("akka   ask round trip, with 5 s timeout", "ns/ask", 5, () => OnAkka.AkkaAsk.Round(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        await Program.Measure("kernel ask round trip, no timeout", "ns/ask", 5, () => Round(null)).ConfigureAwait(false);
        await Program.Measure("akka   ask round trip, no timeout", "ns/ask", 5, () => OnAkka.AkkaAsk.Round(null)).ConfigureAwait(false);
    }

    private static async Task<double> Round(TimeSpan? timeout)
    {
        using var system = ActorSystem.Create("ask", new ActorSystemOptions { MinimumLogLevel = LogLevel.Warning });
        var echo = system.ActorOf(Props.Create(() => new Echo()));
        var question = new object();
        var watch = Stopwatch.StartNew();
        await Task.Run(async () =>
        {
            for (var i = 0; i < Asks; i++)
            {
                await echo.Ask<object>(question, timeout).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        watch.Stop();
        await system.Terminate().ConfigureAwait(false);
        return watch.Elapsed.TotalNanoseconds / Asks;
    }

    private sealed class Echo : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }
}
