using ActorVisor.TestKit;

namespace ActorVisor.Actors.Tests;

public sealed class BackoffSupervisorTests : ActorTestKit
{
    [Fact]
    public void Delays_double_from_the_minimum_up_to_the_maximum()
    {
        var min = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(1);

        var delays = Enumerable.Range(0, 6).Select(n => BackoffSupervisor.CalculateDelay(n, min, max, 0.0, 0.5)).ToArray();

        Assert.Equal([100, 200, 400, 800, 1000, 1000], delays.Select(d => d.TotalMilliseconds));
        Assert.Equal(TimeSpan.FromMilliseconds(150), BackoffSupervisor.CalculateDelay(0, min, max, 1.0, 0.5));
    }

    [Fact]
    public void The_child_is_started_again_only_after_the_backoff_delay()
    {
        var supervisor = ActorOf(BackoffSupervisor.Props(BackoffOptions.OnStop(Props.Create(() => new Echo()), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.0)));
        supervisor.Tell("hello", TestActor);
        ExpectMsg("hello");
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, TestActor);
        var child = ExpectMsg<BackoffSupervisor.CurrentChild>().Ref!;

        child.Tell(PoisonPill.Instance, TestActor);
        RunUntilIdle();
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, TestActor);
        Assert.Null(ExpectMsg<BackoffSupervisor.CurrentChild>().Ref);

        AdvanceTime(TimeSpan.FromMilliseconds(999));
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, TestActor);
        Assert.Null(ExpectMsg<BackoffSupervisor.CurrentChild>().Ref);
        AdvanceTime(TimeSpan.FromMilliseconds(1));
        supervisor.Tell("again", TestActor);
        ExpectMsg("again");
    }

    [Fact]
    public void On_failure_mode_restarts_a_failing_child_after_the_delay()
    {
        var supervisor = ActorOf(BackoffSupervisor.Props(BackoffOptions.OnFailure(Props.Create(() => new Counter()), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.2)));
        supervisor.Tell(new Add(5), TestActor);
        supervisor.Tell(new Fail("crash"), TestActor);
        RunUntilIdle();

        supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance, TestActor);
        Assert.Equal(1, ExpectMsg<BackoffSupervisor.RestartCount>().Count);
        AdvanceTime(TimeSpan.FromSeconds(2));
        supervisor.Tell(new GetCount(), TestActor);
        Assert.Equal(0, ExpectMsg<int>());
    }

    [Fact]
    public void The_jitter_comes_from_the_seeded_random_source()
    {
        var first = RestartDelay(seed: 7);
        var again = RestartDelay(seed: 7);

        Assert.Equal(first, again);
        Assert.InRange(first, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5));
    }

    private static TimeSpan RestartDelay(int seed)
    {
        using var kit = new ActorTestKit(ActorSystemOptions.Deterministic(seed));
        var supervisor = kit.ActorOf(BackoffSupervisor.Props(BackoffOptions.OnStop(Props.Create(() => new Echo()), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 0.5)));
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, kit.TestActor);
        kit.ExpectMsg<BackoffSupervisor.CurrentChild>().Ref!.Tell(PoisonPill.Instance, ActorRefs.NoSender);
        kit.RunUntilIdle();
        var stoppedAt = kit.Sys.Scheduler.Now;
        var restarted = kit.Runtime.RunUntil(() => kit.Sys.ActorSelection("/user/$a/worker").Resolve().Count == 1, TimeSpan.FromSeconds(5));
        Assert.True(restarted);
        return kit.Sys.Scheduler.Now - stoppedAt;
    }
}
