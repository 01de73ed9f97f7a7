namespace ActorVisor.Actors.Bench;

using System.Diagnostics;
using Akka.Actor;

/// <summary>Ask round trip on Akka.NET: one caller awaits each reply before asking again, so the figure is latency (no timeout: Akka's default ask-timeout, infinite).</summary>
public static class AskBenchmark
{
    private const int Asks = 200_000;

    public static async Task Run()
    {
        await Program.Measure("ask round trip, with 5 s timeout", "ns/ask", 5, () => Round(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        await Program.Measure("ask round trip, no timeout", "ns/ask", 5, () => Round(null)).ConfigureAwait(false);
    }

    private static async Task<double> Round(TimeSpan? timeout)
    {
        using var system = AkkaSystems.Create("ask");
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
