using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

/// <summary>The virtual-time scheduler: timers fire in (due time, scheduling order) and only when the test moves the clock.</summary>
public sealed class VirtualTimeTests : DeterministicTestKit
{
    [Fact]
    public void Timers_fire_in_due_order_and_equal_due_times_in_scheduling_order()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(30), TestActor, "c", ActorRefs.NoSender);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(10), TestActor, "a1", ActorRefs.NoSender);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "b", ActorRefs.NoSender);
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(10), TestActor, "a2", ActorRefs.NoSender);

        Runtime.Advance(TimeSpan.FromMilliseconds(30));

        Assert.Equal(["a1", "a2", "b", "c"], ReceiveN(4).Cast<string>());
    }

    [Fact]
    public void Advance_fires_only_what_is_due_and_moves_the_clock_by_exactly_the_amount()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(50), TestActor, "due", ActorRefs.NoSender);

        Runtime.Advance(TimeSpan.FromMilliseconds(40));
        ExpectNoMsg(TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(40), Runtime.Now);
        Assert.Equal(TimeSpan.FromMilliseconds(50), Runtime.NextTimerDue);

        Runtime.Advance(TimeSpan.FromMilliseconds(10));
        ExpectMsg("due", TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(50), Runtime.Now);
        Assert.Equal(VirtualTimeScheduler.Epoch + TimeSpan.FromMilliseconds(50), Sys.Scheduler.Now);
    }

    [Fact]
    public void Akka_timers_of_an_actor_repeat_on_virtual_time_and_stop_when_cancelled()
    {
        var ticker = Sys.ActorOf(Props.Create(() => new Ticker(TestActor)), "ticker");
        Runtime.RunUntilIdle();

        Runtime.Advance(TimeSpan.FromMilliseconds(35));
        Assert.Equal([10L, 20L, 30L], ReceiveN(3).Cast<long>());

        ticker.Tell("stop");
        Runtime.Advance(TimeSpan.FromMilliseconds(100));
        ExpectNoMsg(TimeSpan.Zero);
        Assert.Null(Runtime.NextTimerDue);
    }

    [Fact]
    public void RunUntil_stops_at_the_first_timer_after_which_the_condition_holds()
    {
        var seen = new List<string>();
        var recorder = Sys.ActorOf(Props.Create(() => new Recorder(seen)), "recorder");
        for (int i = 1; i <= 5; i++)
        {
            Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(i), recorder, $"t{i}", ActorRefs.NoSender);
        }

        Assert.True(Runtime.RunUntil(() => seen.Count == 3, TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromSeconds(3), Runtime.Now);
        Assert.False(Runtime.RunUntil(() => seen.Count == 9, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(4), Runtime.Now);
    }

    [Fact]
    public void Nothing_runs_until_the_test_drives_the_loop()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        echo.Tell("ping", TestActor);
        ExpectNoMsg(TimeSpan.Zero);

        Runtime.RunUntilIdle();
        ExpectMsg("ping", TimeSpan.Zero);
    }

    private sealed class Ticker : ReceiveActor, IWithTimers
    {
        public Ticker(IActorRef target)
        {
            Receive<string>(s => s == "tick", _ => target.Tell((long)(Context.System.Scheduler.Now - VirtualTimeScheduler.Epoch).TotalMilliseconds));
            Receive<string>(s => s == "stop", _ => Timers.CancelAll());
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart() => Timers.StartPeriodicTimer("tick", "tick", TimeSpan.FromMilliseconds(10));
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(List<string> seen) => Receive<string>(seen.Add);
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }
}
