namespace ActorVisor.Actors.Bench;

using System.Diagnostics;
using Akka.Actor;

/// <summary>Akka.NET PingPong: pairs of actors bounce messages; every delivery counts; several messages in flight per pair so a mailbox run can batch up to the throughput.</summary>
public static class PingPongBenchmark
{
    private const int MessagesPerPair = 2_000_000;

    public static async Task RunAll()
    {
        var pairs = Environment.ProcessorCount * 4;
        foreach (var throughput in new[] { 1, 10, 100 })
        {
            await Program.Measure($"pingpong throughput {throughput}, {pairs} pairs x 10 in flight", "msg/s", 5, () => Run(throughput, pairs, 10)).ConfigureAwait(false);
        }
        await Program.Measure($"pingpong throughput 1, {pairs} pairs x 1 in flight", "msg/s", 5, () => Run(1, pairs, 1)).ConfigureAwait(false);
    }

    private static async Task<double> Run(int throughput, int pairs, int inFlight)
    {
        using var system = AkkaSystems.Create("pingpong", throughput);
        var done = new CountdownEvent(pairs);
        var pingers = new List<IActorRef>();
        for (var i = 0; i < pairs; i++)
        {
            var ponger = system.ActorOf(Props.Create(() => new Ponger()));
            pingers.Add(system.ActorOf(Props.Create(() => new Pinger(ponger, MessagesPerPair / 2, done))));
        }
        var watch = Stopwatch.StartNew();
        foreach (var pinger in pingers)
        {
            pinger.Tell(new Start(inFlight), ActorRefs.NoSender);
        }
        done.Wait();
        watch.Stop();
        await system.Terminate().ConfigureAwait(false);
        return Program.PerSecond((long)pairs * MessagesPerPair, watch);
    }

    private sealed record Start(int InFlight);

    private sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    private sealed class Ponger : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }

    private sealed class Pinger(IActorRef ponger, int returns, CountdownEvent done) : UntypedActor
    {
        private int _received;
        private int _sent;

        protected override void OnReceive(object message)
        {
            if (message is Start start)
            {
                for (var i = 0; i < start.InFlight; i++)
                {
                    _sent++;
                    ponger.Tell(Ball.Instance, Self);
                }
                return;
            }
            _received++;
            if (_sent < returns)
            {
                _sent++;
                ponger.Tell(message, Self);
            }
            else if (_received == returns)
            {
                done.Signal();
            }
        }
    }
}
