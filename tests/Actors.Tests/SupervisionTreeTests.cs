using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

/// <summary>What a supervisor's decision does to the grandchildren: suspension, resumption, restart of survivors.</summary>
public sealed class SupervisionTreeTests : ActorTestKit
{
    [Fact]
    public void AllForOne_stop_stops_every_child()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new AllForOneStrategy(_ => Directive.Stop))));
        parent.Tell(Props.Create(() => new Counter()), TestActor);
        var a = ExpectMsg<IActorRef>();
        parent.Tell(Props.Create(() => new Counter()), TestActor);
        var b = ExpectMsg<IActorRef>();
        Watch(a);
        Watch(b);

        a.Tell(new Fail("fatal"), TestActor);

        var stopped = new[] { ReceiveOne(), ReceiveOne() }.Cast<Terminated>().Select(t => t.ActorRef).ToHashSet();
        Assert.Equal(new HashSet<IActorRef> { a, b }, stopped);
    }

    [Fact]
    public void Resuming_a_failed_parent_resumes_its_suspended_children()
    {
        var top = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Resume))));
        top.Tell(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy)), TestActor);
        var middle = ExpectMsg<IActorRef>();
        middle.Tell(Props.Create(() => new Counter()), TestActor);
        var leaf = ExpectMsg<IActorRef>();
        leaf.Tell(new Add(2), TestActor);

        middle.Tell(new Fail("resume me"), TestActor);
        leaf.Tell(new Add(3), TestActor);
        leaf.Tell(new GetCount(), TestActor);

        Assert.Equal(5, ExpectMsg<int>());
    }

    [Fact]
    public void Children_that_survive_PreRestart_are_restarted_too()
    {
        var top = ActorOf(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy)));
        top.Tell(Props.Create(() => new KeepsChildren()), TestActor);
        var middle = ExpectMsg<IActorRef>();
        middle.Tell(Props.Create(() => new Counter()), TestActor);
        var leaf = ExpectMsg<IActorRef>();
        leaf.Tell(new Add(4), TestActor);
        leaf.Tell(new GetCount(), TestActor);
        Assert.Equal(4, ExpectMsg<int>());

        middle.Tell(new Fail("restart me"), TestActor);
        middle.Tell(new GetCount(), TestActor);
        ExpectMsg<int>();
        leaf.Tell(new GetCount(), TestActor);

        Assert.Equal(0, ExpectMsg<int>());
    }

    [Fact]
    public void Ask_with_a_reply_of_the_wrong_type_fails_with_InvalidCastException()
    {
        var echo = ActorOf(Props.Create(() => new Echo()));

        var task = AwaitCompletion(echo.Ask<int>("not a number", TimeSpan.FromSeconds(1)));

        Assert.IsType<InvalidCastException>(task.Exception!.InnerException);
    }

    /// <summary>A parent that keeps its children across its own restart.</summary>
    private sealed class KeepsChildren : ReceiveActor
    {
        public KeepsChildren()
        {
            Receive<Props>(p => Sender.Tell(Context.ActorOf(p)));
            Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
            Receive<GetCount>(_ => Sender.Tell(Context.Children.Count));
        }

        protected override void PreRestart(Exception reason, object? message) => PostStop();
    }
}
