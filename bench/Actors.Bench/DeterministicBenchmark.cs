using System.Diagnostics;

namespace ActorVisor.Actors.Bench;

/// <summary>PingPong on the deterministic dispatcher: one thread, seeded tie-breaks; the cost of reproducibility.</summary>
public static class DeterministicBenchmark
{
    private const int MessagesPerPair = 200_000;

    public static async Task Run()
    {
        await Program.Measure("kernel deterministic pingpong, 8 pairs x 10 in flight", "msg/s", 5, () => Task.FromResult(Round(8, 10))).ConfigureAwait(false);
        await Program.Measure("akka   deterministic pingpong, 8 pairs x 10 in flight", "msg/s", 5, () => Task.FromResult(OnAkka.AkkaDeterministic.Round(8, 10))).ConfigureAwait(false);
    }

    private static double Round(int pairs, int inFlight)
    {
        using var system = ActorSystem.Create("deterministic", ActorSystemOptions.Deterministic(1) with { MinimumLogLevel = LogLevel.Warning });
        var runtime = system.Deterministic!;
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
            pinger.Tell("start", null);
        }
        runtime.RunUntilIdle();
        watch.Stop();
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
