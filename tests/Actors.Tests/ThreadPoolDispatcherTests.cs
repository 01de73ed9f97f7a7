using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

/// <summary>The same semantics on real threads. These tests wait for messages with generous timeouts and never sleep or measure time.</summary>
public sealed class ThreadPoolDispatcherTests : ActorTestKit
{
    public ThreadPoolDispatcherTests()
        : base(new ActorSystemOptions { Throughput = 5 })
    {
    }

    [Fact]
    public void Messages_from_one_sender_arrive_in_order_while_many_senders_write_concurrently()
    {
        const int Senders = 8;
        const int PerSender = 20_000;
        var collector = ActorOf(Props.Create(() => new OrderChecker(Senders, PerSender)));

        var threads = Enumerable.Range(0, Senders).Select(s => new Thread(() =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                collector.Tell(new Numbered(s, i), TestActor);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal("in order", ExpectMsg<string>(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Ask_and_supervision_work_on_the_thread_pool()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        counter.Tell(new Add(3), TestActor);
        counter.Tell(new Fail("restart"), TestActor);
        counter.Tell(new Add(4), TestActor);

        Assert.Equal(4, AwaitResult(counter.Ask<int>(new GetCount(), TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public void A_pinned_actor_runs_on_its_own_thread()
    {
        var pinned = ActorOf(Props.Create(() => new ThreadReporter()).WithDispatcher(Dispatchers.PinnedId));
        var pooled = ActorOf(Props.Create(() => new ThreadReporter()));

        pinned.Tell("which thread", TestActor);
        var pinnedThread = ExpectMsg<string>();
        pinned.Tell("which thread", TestActor);
        Assert.Equal(pinnedThread, ExpectMsg<string>());
        pooled.Tell("which thread", TestActor);

        Assert.StartsWith("pinned /user/", pinnedThread, StringComparison.Ordinal);
        Assert.DoesNotContain("pinned", ExpectMsg<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stopped_pinned_actor_reports_Terminated()
    {
        var pinned = ActorOf(Props.Create(() => new Counter()).WithDispatcher(Dispatchers.PinnedId));
        Watch(pinned);

        pinned.Tell(PoisonPill.Instance, TestActor);

        ExpectTerminated(pinned);
    }

    [Fact]
    public async Task CoordinatedShutdown_runs_phase_tasks_in_order_and_terminates_the_system()
    {
        var order = new List<string>();
        var shutdown = Sys.CoordinatedShutdown;
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "second", () =>
        {
            lock (order)
            {
                order.Add("service-stop");
            }
            return Task.CompletedTask;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "first", () =>
        {
            lock (order)
            {
                order.Add("before-service-unbind");
            }
            return Task.CompletedTask;
        });

        await shutdown.Run("test").WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(["before-service-unbind", "service-stop"], order);
        Assert.True(Sys.WhenTerminated.IsCompleted);
        Assert.Same(shutdown.Run("again"), shutdown.Run("again"));
    }

    private sealed record Numbered(int Sender, int Sequence);

    private sealed class OrderChecker : ReceiveActor
    {
        public OrderChecker(int senders, int perSender)
        {
            var next = new int[senders];
            var received = 0;
            Receive<Numbered>(n =>
            {
                if (next[n.Sender] != n.Sequence)
                {
                    Sender.Tell($"out of order: sender {n.Sender} expected {next[n.Sender]} got {n.Sequence}");
                }
                next[n.Sender] = n.Sequence + 1;
                if (++received == senders * perSender)
                {
                    Sender.Tell("in order");
                }
            });
        }
    }

    private sealed class ThreadReporter : ReceiveActor
    {
        public ThreadReporter() => Receive<string>(_ => Sender.Tell(Thread.CurrentThread.Name ?? "pool " + Environment.CurrentManagedThreadId));
    }
}
