using System.Runtime.CompilerServices;
using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class LifecycleTests : ActorTestKit
{
    [Fact]
    public void Restart_runs_the_hooks_in_Akka_order()
    {
        var log = CreateTestProbe();
        var instances = new StrongBox<int>();
        var actor = ActorOf(Props.Create(() => new HookRecorder(log.Ref, instances)));
        Assert.Equal("PreStart 1", log.ExpectMsg<string>());

        actor.Tell(new Fail("boom"), TestActor);

        // PreRestart on the old instance calls PostStop by default; the new instance is constructed,
        // then PostRestart runs and by default calls PreStart.
        Assert.Equal("PreRestart 1 boom Fail", log.ExpectMsg<string>());
        Assert.Equal("PostStop 1 $a", log.ExpectMsg<string>());
        Assert.Equal("Constructor 2", log.ExpectMsg<string>());
        Assert.Equal("PreStart 2", log.ExpectMsg<string>());
        Assert.Equal("PostRestart 2 boom", log.ExpectMsg<string>());
        log.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Stop_runs_PostStop_once_after_the_children_have_stopped()
    {
        var log = CreateTestProbe();
        var parent = ActorOf(Props.Create(() => new HookRecorder(log.Ref, new StrongBox<int>())), "parent");
        Assert.Equal("PreStart 1", log.ExpectMsg<string>());
        parent.Tell(new NamedChild(Props.Create(() => new HookRecorder(log.Ref, new StrongBox<int>())), "child"), TestActor);
        ExpectMsg<IActorRef>();
        Assert.Equal("PreStart 1", log.ExpectMsg<string>());
        Watch(parent);

        Sys.Stop(parent);

        Assert.Equal("PostStop 1 child", log.ExpectMsg<string>());
        Assert.Equal("PostStop 1 parent", log.ExpectMsg<string>());
        ExpectTerminated(parent);
    }

    [Fact]
    public void Restart_stops_the_children_by_default()
    {
        var grandparent = ActorOf(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy)));
        grandparent.Tell(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy)), TestActor);
        var middle = ExpectMsg<IActorRef>();
        middle.Tell(Props.Create(() => new Counter()), TestActor);
        var leaf = ExpectMsg<IActorRef>();
        Watch(leaf);

        middle.Tell(new Fail("restart me"), TestActor);

        ExpectTerminated(leaf);
        middle.Tell(Props.Create(() => new Counter()), TestActor);
        Assert.Equal("/user/$a/$a/$b", ExpectMsg<IActorRef>().Path.ToStringWithoutAddress());
    }

    [Fact]
    public void PoisonPill_stops_after_the_messages_queued_before_it()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));
        Watch(counter);

        counter.Tell(new Add(2), TestActor);
        counter.Tell(new GetCount(), TestActor);
        counter.Tell(PoisonPill.Instance, TestActor);
        counter.Tell(new GetCount(), TestActor);

        Assert.Equal(2, ExpectMsg<int>());
        ExpectTerminated(counter);
        ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void GracefulStop_completes_after_the_actor_has_stopped()
    {
        var log = CreateTestProbe();
        var actor = ActorOf(Props.Create(() => new HookRecorder(log.Ref, new StrongBox<int>())));
        log.ExpectMsg<string>();

        var stopped = actor.GracefulStop(TimeSpan.FromSeconds(5));

        Assert.True(AwaitResult(stopped));
        Assert.StartsWith("PostStop 1", log.ExpectMsg<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_is_answered_with_the_actor_reference()
    {
        var counter = ActorOf(Props.Create(() => new Counter()));

        counter.Tell(new Identify(42), TestActor);

        var identity = ExpectMsg<ActorIdentity>();
        Assert.Equal(42, identity.MessageId);
        Assert.Same(counter, identity.Subject);
    }

    [Fact]
    public void Become_and_unbecome_switch_behaviours()
    {
        var actor = ActorOf(Props.Create(() => new Switcher()));

        actor.Tell("which", TestActor);
        actor.Tell("switch", TestActor);
        actor.Tell("which", TestActor);
        actor.Tell("back", TestActor);
        actor.Tell("which", TestActor);

        Assert.Equal("first", ExpectMsg<string>());
        Assert.Equal("second", ExpectMsg<string>());
        Assert.Equal("first", ExpectMsg<string>());
    }

    [Fact]
    public void Child_names_must_be_unique_among_live_siblings()
    {
        Sys.ActorOf(Props.Create(() => new Counter()), "unique");

        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create(() => new Counter()), "unique"));
    }

    [Fact]
    public void Terminating_the_system_stops_every_actor()
    {
        var stopped = new List<string>();
        ActorOf(Props.Create(() => new StopRecorder(stopped)), "a");
        ActorOf(Props.Create(() => new StopRecorder(stopped)), "b");
        RunUntilIdle();

        var terminated = Sys.Terminate();
        RunUntilIdle();

        Assert.True(terminated.IsCompleted);
        Assert.Equal(["a", "b"], stopped.Order());
    }

    private sealed class StopRecorder : ReceiveActor
    {
        private readonly List<string> _stopped;

        public StopRecorder(List<string> stopped) => _stopped = stopped;

        protected override void PostStop() => _stopped.Add(Self.Path.Name);
    }

    private sealed class HookRecorder : ReceiveActor
    {
        private readonly IActorRef _log;
        private readonly int _instance;

        public HookRecorder(IActorRef log, StrongBox<int> instances)
        {
            _log = log;
            _instance = ++instances.Value;
            if (_instance > 1)
            {
                _log.Tell("Constructor " + _instance);
            }
            Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
            Receive<NamedChild>(n => Sender.Tell(Context.ActorOf(n.Props, n.Name)));
        }

        protected override void PreStart() => _log.Tell($"PreStart {_instance}");

        protected override void PostStop() => _log.Tell($"PostStop {_instance} {Self.Path.Name}");

        protected override void PreRestart(Exception reason, object? message)
        {
            _log.Tell($"PreRestart {_instance} {reason.Message} {message?.GetType().Name}");
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            base.PostRestart(reason);
            _log.Tell($"PostRestart {_instance} {reason.Message}");
        }
    }

    private sealed class Switcher : ReceiveActor
    {
        public Switcher()
        {
            Receive<string>(s => s == "which", _ => Sender.Tell("first"));
            Receive<string>(s => s == "switch", _ => BecomeStacked(() =>
            {
                Receive<string>(s => s == "which", _ => Sender.Tell("second"));
                Receive<string>(s => s == "back", _ => Context.UnbecomeStacked());
            }));
        }
    }
}
