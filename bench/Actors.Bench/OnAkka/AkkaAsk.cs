namespace ActorVisor.Actors.Bench.OnAkka;

using System.Diagnostics;
using Akka.Actor;

/// <summary>The Ask round trip of <see cref="AskBenchmark"/> on Akka.NET (no timeout: Akka's default ask-timeout, infinite).</summary>
public static class AkkaAsk
{
    private const int Asks = 200_000;

    public static async Task<double> Round(TimeSpan? timeout)
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
