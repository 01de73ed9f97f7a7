namespace ActorVisor.Actors.Bench.OnAkka;

using System.Diagnostics;
using Akka.Actor;

/// <summary>The creation rate of <see cref="CreationBenchmark"/> on Akka.NET.</summary>
public static class AkkaCreation
{
    private const int Actors = 200_000;

    public static async Task<double> Round()
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
