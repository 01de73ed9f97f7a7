using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

/// <summary>
/// A randomised many-actor workload: nodes forward tokens to peers picked from the system's seeded
/// random source and start timers with random delays. Under the deterministic dispatcher the whole
/// delivery trace must depend on the seed only.
/// </summary>
public sealed class DeterminismTests
{
    [Fact]
    public void Two_runs_with_the_same_seed_deliver_every_message_in_the_same_order()
    {
        var first = RunWorkload(seed: 42);
        var second = RunWorkload(seed: 42);

        Assert.True(first.Count > 1000, $"the workload delivered only {first.Count} messages");
        Assert.Equal(first, second);
    }

    [Fact]
    public void Runs_with_different_seeds_deliver_in_different_orders()
    {
        var first = RunWorkload(seed: 1);
        var second = RunWorkload(seed: 2);

        Assert.NotEqual(first, second);
    }

    private static List<string> RunWorkload(int seed)
    {
        using var kit = new ActorTestKit(ActorSystemOptions.Deterministic(seed));
        var trace = new List<string>();
        kit.Runtime.Delivered += (recipient, message) =>
            trace.Add($"{kit.Sys.Scheduler.Now.Ticks} {recipient.Path.ToStringWithoutAddress()} {message}");
        var nodes = Enumerable.Range(0, 16)
            .Select(i => kit.ActorOf(Props.Create(() => new Node()), "node" + i))
            .ToArray();
        foreach (var node in nodes)
        {
            node.Tell(new Peers(nodes), ActorRefs.NoSender);
        }
        for (var token = 0; token < 32; token++)
        {
            nodes[token % nodes.Length].Tell(new Token(token, 40), ActorRefs.NoSender);
        }
        kit.AdvanceTime(TimeSpan.FromSeconds(10));
        return trace;
    }

    private sealed record Peers(IActorRef[] All);

    private sealed record Token(int Id, int HopsLeft);

    private sealed record Wake(int Id);

    private sealed class Node : ReceiveActor, IWithTimers
    {
        private IActorRef[] _peers = [];

        public Node()
        {
            Receive<Peers>(p => _peers = p.All);
            Receive<Token>(t =>
            {
                if (t.HopsLeft == 0)
                {
                    return;
                }
                var random = Context.System.NextRandomDouble();
                var next = _peers[(int)(random * _peers.Length)];
                if (random < 0.2)
                {
                    Timers.StartSingleTimer(t.Id, new Wake(t.Id), TimeSpan.FromMilliseconds(1 + (int)(random * 500)));
                }
                next.Tell(t with { HopsLeft = t.HopsLeft - 1 });
            });
            Receive<Wake>(_ => { });
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}
