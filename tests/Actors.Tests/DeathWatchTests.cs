using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class DeathWatchTests : ActorTestKit
{
    [Fact]
    public void Watcher_gets_Terminated_when_the_watched_actor_stops()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        Watch(counter);

        Sys.Stop(counter);

        Assert.Same(counter, ExpectTerminated(counter).ActorRef);
    }

    [Fact]
    public void Watcher_gets_Terminated_when_the_watched_actor_is_stopped_after_a_failure()
    {
        var parent = ActorOf(Props.Create(() => new Parent(SupervisorStrategy.StoppingStrategy)));
        parent.Tell(Props.Create(() => new Counter()), TestActor);
        var child = ExpectMsg<IActorRef>();
        Watch(child);

        child.Tell(new Fail("fatal"), TestActor);

        ExpectTerminated(child);
    }

    [Fact]
    public void A_restart_is_not_a_termination_for_watchers()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        Watch(counter);

        counter.Tell(new Fail("restart"), TestActor);
        counter.Tell(new GetCount(), TestActor);

        Assert.Equal(0, ExpectMsg<int>());
        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Watching_an_actor_that_already_stopped_still_yields_Terminated()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        Sys.Stop(counter);
        RunUntilIdle();

        Watch(counter);

        ExpectTerminated(counter);
    }

    [Fact]
    public void Unwatch_means_no_Terminated_is_delivered()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        Watch(counter);
        Unwatch(counter);

        Sys.Stop(counter);

        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void An_actor_that_does_not_handle_Terminated_dies_with_the_watched_actor()
    {
        var target = ActorOf(Props.Create(() => new Counter()));
        var watcher = ActorOf(Props.Create(() => new CarelessWatcher(target)));
        Watch(watcher);

        Sys.Stop(target);

        ExpectTerminated(watcher);
    }

    [Fact]
    public void Parent_watching_its_child_sees_Terminated_after_the_child_stops_itself()
    {
        var log = CreateTestProbe();
        ActorOf(Props.Create(() => new WatchingParent(log.Ref)));

        Assert.Equal("child terminated", log.ExpectMsg<string>());
    }

    private sealed class CarelessWatcher : ReceiveActor
    {
        public CarelessWatcher(IActorRef target)
        {
            Context.Watch(target);
            Receive<string>(_ => { });
        }
    }

    private sealed class WatchingParent : ReceiveActor
    {
        public WatchingParent(IActorRef log)
        {
            var child = Context.Watch(Context.ActorOf(Props.Create(() => new Counter()), "child"));
            child.Tell(PoisonPill.Instance);
            Receive<Terminated>(t => t.ActorRef == child, _ => log.Tell("child terminated"));
        }
    }
}
