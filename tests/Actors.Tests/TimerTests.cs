using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class TimerTests : ActorTestKit
{
    [Fact]
    public void A_single_timer_fires_once_at_its_virtual_due_time()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("tick", TimeSpan.FromSeconds(5)), TestActor);
        RunUntilIdle();

        AdvanceTime(TimeSpan.FromMilliseconds(4999));
        ExpectNoMsg(TimeSpan.Zero);
        AdvanceTime(TimeSpan.FromMilliseconds(1));
        Assert.Equal("tick", ExpectMsg<string>(TimeSpan.Zero));
        ExpectNoMsg(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void A_periodic_timer_fires_every_interval()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartPeriodic("tick", TimeSpan.FromSeconds(1)), TestActor);
        RunUntilIdle();
        var start = Sys.Scheduler.Now;

        Within(TimeSpan.FromSeconds(3), () =>
        {
            ExpectMsg("tick");
            ExpectMsg("tick");
            ExpectMsg("tick");
        });
        Assert.Equal(TimeSpan.FromSeconds(3), Sys.Scheduler.Now - start);
    }

    [Fact]
    public void Starting_a_timer_with_the_same_key_replaces_the_old_one()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("old", TimeSpan.FromSeconds(1)), TestActor);
        actor.Tell(new StartSingle("new", TimeSpan.FromSeconds(2)), TestActor);

        Assert.Equal("new", ExpectMsg<string>());
        ExpectNoMsg(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_cancelled_timer_does_not_deliver()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartPeriodic("tick", TimeSpan.FromSeconds(1)), TestActor);
        ExpectMsg("tick");

        actor.Tell("cancel", TestActor);

        ExpectNoMsg(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Timers_are_cancelled_when_the_actor_restarts()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartPeriodic("tick", TimeSpan.FromSeconds(1)), TestActor);
        ExpectMsg("tick");

        actor.Tell(new Fail("restart"), TestActor);

        ExpectNoMsg(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Virtual_time_does_not_move_unless_advanced()
    {
        var before = Sys.Scheduler.Now;
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("later", TimeSpan.FromHours(1)), TestActor);

        RunUntilIdle();

        Assert.Equal(before, Sys.Scheduler.Now);
        Assert.Equal(TimeSpan.FromHours(1), Runtime.NextTimerDue);
    }

    private sealed record StartSingle(string Message, TimeSpan Delay);

    private sealed record StartPeriodic(string Message, TimeSpan Interval);

    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public TimerActor(IActorRef target)
        {
            Receive<StartSingle>(s => Timers.StartSingleTimer("key", s.Message, s.Delay));
            Receive<StartPeriodic>(s => Timers.StartPeriodicTimer("key", s.Message, s.Interval));
            Receive<string>(s => s == "cancel", _ => Timers.Cancel("key"));
            Receive<string>(s => target.Tell(s));
            Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}
