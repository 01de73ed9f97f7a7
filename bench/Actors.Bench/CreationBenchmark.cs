namespace ActorVisor.Actors.Bench;

using System.Diagnostics;
using Akka.Actor;

/// <summary>Actor creation rate on Akka.NET: ActorOf in a loop, timed until every new actor has run PreStart.</summary>
public static class CreationBenchmark
{
    private const int Actors = 200_000;

    public static async Task Run()
        => await Program.Measure($"actor creation, {Actors:N0} actors until PreStart", "actors/s", 5, Round).ConfigureAwait(false);

    private static async Task<double> Round()
    {
        using var system = AkkaSystems.Create("create");
        var started = new CountdownEvent(Actors);
        var props = Props.Create(() => new Minimal(started));
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Actors; i++)
        {
            system.ActorOf(props);
        }
        started.Wait();
        watch.Stop();
        await system.Terminate().ConfigureAwait(false);
        return Program.PerSecond(Actors, watch);
    }

    private sealed class Minimal(CountdownEvent started) : UntypedActor
    {
        protected override void PreStart() => started.Signal();

        protected override void OnReceive(object message)
        {
        }
    }
}
