using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class SupervisionTests : ActorTestKit
{
    [Fact]
    public void Resume_keeps_the_actor_state()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Resume))));
        var child = AskChild(parent, Props.Create(() => new Counter()));

        child.Tell(new Add(5), TestActor);
        child.Tell(new Fail("boom"), TestActor);
        child.Tell(new GetCount(), TestActor);

        Assert.Equal(5, ExpectMsg<int>());
    }

    [Fact]
    public void Restart_replaces_the_instance_and_keeps_the_mailbox()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Restart))));
        var child = AskChild(parent, Props.Create(() => new Counter()));

        child.Tell(new Add(5), TestActor);
        child.Tell(new Fail("boom"), TestActor);
        child.Tell(new Add(1), TestActor);
        child.Tell(new GetCount(), TestActor);

        Assert.Equal(1, ExpectMsg<int>());
    }

    [Fact]
    public void Stop_directive_stops_the_child_and_watchers_see_Terminated()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Stop))));
        var child = AskChild(parent, Props.Create(() => new Counter()));
        Watch(child);

        child.Tell(new Fail("boom"), TestActor);

        ExpectTerminated(child);
        child.Tell(new GetCount(), TestActor);
        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Escalate_makes_the_supervisor_fail_with_the_same_exception()
    {
        var grandparentProbe = CreateTestProbe();
        var top = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(e =>
        {
            grandparentProbe.Ref.Tell(e.Message, null);
            return Directive.Stop;
        }))));
        var middle = AskChild(top, Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Escalate))));
        var leaf = AskChild(middle, Props.Create(() => new Counter()));
        Watch(middle);

        leaf.Tell(new Fail("from the leaf"), TestActor);

        Assert.Equal("from the leaf", grandparentProbe.ExpectMsg<string>());
        ExpectTerminated(middle);
    }

    [Fact]
    public void Default_strategy_stops_a_child_that_fails_in_its_constructor()
    {
        var parent = ActorOf(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy)));
        var child = AskChild(parent, Props.Create(() => new FailsOnStart()));
        Watch(child);

        ExpectTerminated(child);
    }

    [Fact]
    public void Default_strategy_restarts_on_an_ordinary_exception()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        counter.Tell(new Add(3), TestActor);
        counter.Tell(new Fail("boom"), TestActor);
        counter.Tell(new GetCount(), TestActor);

        Assert.Equal(0, ExpectMsg<int>());
    }

    [Fact]
    public void Kill_stops_the_actor_through_its_supervisor()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        Watch(counter);

        counter.Tell(Kill.Instance, TestActor);

        ExpectTerminated(counter);
    }

    [Fact]
    public void AllForOne_restarts_the_siblings_of_a_failed_child()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new AllForOneStrategy(_ => Directive.Restart))));
        var a = AskChild(parent, Props.Create(() => new Counter()));
        var b = AskChild(parent, Props.Create(() => new Counter()));
        b.Tell(new Add(7), TestActor);
        a.Tell(new Add(1), TestActor);

        a.Tell(new Fail("boom"), TestActor);
        a.Tell(new GetCount(), TestActor);
        Assert.Equal(0, ExpectMsg<int>());
        b.Tell(new GetCount(), TestActor);

        Assert.Equal(0, ExpectMsg<int>());
    }

    [Fact]
    public void OneForOne_leaves_the_siblings_of_a_failed_child_alone()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Restart))));
        var a = AskChild(parent, Props.Create(() => new Counter()));
        var b = AskChild(parent, Props.Create(() => new Counter()));
        b.Tell(new Add(7), TestActor);

        a.Tell(new Fail("boom"), TestActor);
        a.Tell(new GetCount(), TestActor);
        Assert.Equal(0, ExpectMsg<int>());
        b.Tell(new GetCount(), TestActor);

        Assert.Equal(7, ExpectMsg<int>());
    }

    [Fact]
    public void MaxNrOfRetries_within_a_window_stops_the_child_on_the_failure_past_the_limit()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(2, TimeSpan.FromSeconds(10), _ => Directive.Restart))));
        var child = AskChild(parent, Props.Create(() => new Counter()));
        Watch(child);

        child.Tell(new Fail("1"), TestActor);
        child.Tell(new Fail("2"), TestActor);
        child.Tell(new GetCount(), TestActor);
        Assert.Equal(0, ExpectMsg<int>());

        child.Tell(new Fail("3"), TestActor);
        ExpectTerminated(child);
    }

    [Fact]
    public void Retry_count_starts_over_when_a_failure_comes_after_the_window()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(2, TimeSpan.FromSeconds(10), _ => Directive.Restart))));
        var child = AskChild(parent, Props.Create(() => new Counter()));
        Watch(child);

        child.Tell(new Fail("1"), TestActor);
        child.Tell(new Fail("2"), TestActor);
        RunUntilIdle();
        AdvanceTime(TimeSpan.FromSeconds(11));
        child.Tell(new Fail("3 after the window"), TestActor);
        child.Tell(new Fail("4"), TestActor);
        child.Tell(new GetCount(), TestActor);
        Assert.Equal(0, ExpectMsg<int>());

        child.Tell(new Fail("5"), TestActor);
        ExpectTerminated(child);
    }

    [Fact]
    public void Zero_retries_stops_on_the_first_failure()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(0, null, _ => Directive.Restart))));
        var child = AskChild(parent, Props.Create(() => new Counter()));
        Watch(child);

        child.Tell(new Fail("1"), TestActor);

        ExpectTerminated(child);
    }

    [Fact]
    public void A_failure_is_logged_with_the_actor_path_and_the_message_type()
    {
        var logs = new List<LogEvent>();
        using var subscription = Sys.EventStream.Subscribe(typeof(LogEvent), e => logs.Add((LogEvent)e));
        var counter = ActorOf(Props.Create(() => new Counter()), "logged");

        counter.Tell(new Fail("boom"), TestActor);
        counter.Tell(new GetCount(), TestActor);
        ExpectMsg<int>();

        var error = Assert.Single(logs, l => l.Level == LogLevel.Error);
        Assert.Equal("/user/logged", error.LogSource);
        Assert.Contains(nameof(Fail), error.Message, StringComparison.Ordinal);
        Assert.Contains("Restart", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.Cause);
    }

    private IActorRef AskChild(IActorRef parent, Props props)
    {
        parent.Tell(props, TestActor);
        return ExpectMsg<IActorRef>();
    }
}
