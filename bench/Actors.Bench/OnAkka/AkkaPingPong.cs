namespace ActorVisor.Actors.Bench.OnAkka;

using System.Diagnostics;
using Akka.Actor;

/// <summary>The PingPong shape of <see cref="PingPongBenchmark"/> on Akka.NET's default dispatcher.</summary>
public static class AkkaPingPong
{
    private const int MessagesPerPair = 2_000_000;

    public static async Task<double> Run(int throughput, int pairs, int inFlight)
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
