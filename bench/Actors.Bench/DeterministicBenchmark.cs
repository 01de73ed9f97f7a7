namespace ActorVisor.Actors.Bench;

using System.Diagnostics;
using ActorVisor.Actors.Deterministic;
using Akka.Actor;
using Akka.Configuration;

/// <summary>PingPong on one thread: Akka.NET with src/Actors' deterministic dispatcher and virtual-time scheduler.</summary>
public static class DeterministicBenchmark
{
    private const int MessagesPerPair = 200_000;

    public static async Task Run()
        => await Program.Measure("deterministic pingpong, 8 pairs x 10 in flight", "msg/s", 5, () => Task.FromResult(Round(8, 10))).ConfigureAwait(false);

    private static double Round(int pairs, int inFlight)
    {
        var system = ActorSystem.Create("deterministic", DeterministicConfig.Apply(1, ConfigurationFactory.ParseString("akka.loglevel = WARNING, akka.stdout-loglevel = WARNING")));
        var runtime = DeterministicRuntime.Of(system)!;
        var received = new StrongCounter();
        var pingers = new List<IActorRef>();
        for (var i = 0; i < pairs; i++)
        {
            var ponger = system.ActorOf(Props.Create(() => new Echo()));
            pingers.Add(system.ActorOf(Props.Create(() => new Pinger(ponger, MessagesPerPair / 2, inFlight, received))));
        }
        runtime.RunUntilIdle();
        var watch = Stopwatch.StartNew();
        foreach (var pinger in pingers)
        {
            pinger.Tell("start", ActorRefs.NoSender);
        }
        runtime.RunUntilIdle();
        watch.Stop();
        runtime.Terminate(system, TimeSpan.FromSeconds(5));
        if (received.Value != (long)pairs * MessagesPerPair / 2)
        {
            throw new InvalidOperationException($"expected {pairs * MessagesPerPair / 2} returns, got {received.Value}");
        }
        return Program.PerSecond((long)pairs * MessagesPerPair, watch);
    }

    private sealed class StrongCounter
    {
        public long Value;
    }

    private sealed class Echo : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }

    private sealed class Pinger(IActorRef ponger, int returns, int inFlight, StrongCounter received) : UntypedActor
    {
        private int _sent;

        protected override void OnReceive(object message)
        {
            if (message is string)
            {
                for (var i = 0; i < inFlight; i++)
                {
                    _sent++;
                    ponger.Tell(i, Self);
                }
                return;
            }
            received.Value++;
            if (_sent < returns)
            {
                _sent++;
                ponger.Tell(message, Self);
            }
        }
    }
}
