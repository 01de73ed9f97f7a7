namespace ActorVisor.Actors.Tests;

/// <summary>
/// The order of runs queued in one step: a seeded draw over the actors' paths, the same for the
/// same seed whatever order Akka queued them in, and different for some other seed.
/// </summary>
public sealed class TieBreakTests
{
    [Fact]
    public void The_same_seed_gives_the_same_delivery_trace()
    {
        var first = Run(seed: 42, reversed: false);
        var second = Run(seed: 42, reversed: false);

        // Akka names some of its own actors from a counter global to the process (EventStreamUnsubscriber-N), so two systems in one process compare their user actors' deliveries.
        var firstUser = first.Trace.Where(IsUser).ToList();
        Assert.True(firstUser.Count > 200, $"only {firstUser.Count} deliveries");
        Assert.Equal(firstUser, second.Trace.Where(IsUser).ToList());
    }

    [Fact]
    public void The_order_depends_on_the_paths_and_the_seed_not_on_the_order_the_runs_were_queued_in()
    {
        var forward = Run(seed: 7, reversed: false);
        var backward = Run(seed: 7, reversed: true);

        Assert.Equal(forward.FirstReceipts, backward.FirstReceipts);
    }

    [Fact]
    public void Some_other_seed_gives_another_order()
    {
        var orders = Enumerable.Range(1, 6).Select(seed => string.Join(",", Run(seed, reversed: false).FirstReceipts)).ToHashSet();

        Assert.True(orders.Count > 1, "six seeds gave one order");
    }

    [Fact]
    public void The_trace_names_recipients_by_path_without_the_per_process_uid()
    {
        var run = Run(seed: 3, reversed: false);

        Assert.All(run.Trace, line => Assert.DoesNotContain("#", line));
        Assert.Contains(run.Trace, line => line.Contains("/user/fan/leaf5", StringComparison.Ordinal));
        Assert.Contains(run.Trace, line => line.Contains("[akka://tiebreak/system/deadLetterListener]", StringComparison.Ordinal));
    }

    private static bool IsUser(string line) => line.Split(' ')[1].StartsWith("/user/", StringComparison.Ordinal);

    private static (List<string> Trace, List<string> FirstReceipts) Run(long seed, bool reversed)
    {
        var system = ActorSystem.Create("tiebreak", DeterministicConfig.Apply(seed, null));
        var runtime = DeterministicRuntime.Of(system)!;
        var trace = new List<string>();
        runtime.Delivered += (recipient, message) => trace.Add($"{runtime.Now.Ticks} {recipient.Path.ToStringWithoutAddress()} {DeterministicRuntime.TraceText(message)}");
        var receipts = new List<string>();
        var fan = system.ActorOf(Props.Create(() => new Fan(receipts, reversed)), "fan");
        runtime.RunUntilIdle();
        for (int round = 0; round < 20; round++)
        {
            fan.Tell(round);
            runtime.RunUntilIdle();
        }

        runtime.Terminate(system, TimeSpan.FromSeconds(5));
        return (trace, receipts.Take(8).ToList());
    }

    /// <summary>Creates eight leaves (in reverse name order when asked) and tells each of them every round, in creation order.</summary>
    private sealed class Fan : ReceiveActor
    {
        public Fan(List<string> receipts, bool reversed)
        {
            var names = Enumerable.Range(0, 8).Select(i => $"leaf{i}");
            var leaves = (reversed ? names.Reverse() : names).Select(name => Context.ActorOf(Props.Create(() => new Leaf(receipts)), name)).ToList();
            Receive<string>(_ => { });
            Receive<int>(round =>
            {
                foreach (var leaf in leaves)
                {
                    leaf.Tell(round);
                }
            });
        }
    }

    private sealed class Leaf : ReceiveActor
    {
        public Leaf(List<string> receipts) => Receive<int>(round =>
        {
            receipts.Add(Self.Path.Name);
            if (round % 3 == 0)
            {
                Context.Parent.Tell($"{Self.Path.Name} done {round}");
            }
        });
    }
}
