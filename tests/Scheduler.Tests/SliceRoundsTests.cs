using ActorVisor.Scheduler.Rounds;
using Xunit;

namespace ActorVisor.Scheduler.Tests;

public sealed class SliceRoundsTests
{
    private const long Ms = 1_000_000;
    private const long SegmentNs = 100_000;
    private static readonly VcpuKey A = new(1, 0);
    private static readonly VcpuKey B = new(2, 0);

    [Fact]
    public void A_new_vcpu_waits_paused_until_resumed_and_then_runs_a_segment_at_once()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms));
        rounds.Add(A, new SchedulingParameters());

        Assert.Equal(VcpuRunState.PausedBlocked, rounds.StateOf(A));
        Assert.Empty(actions.Segments);

        rounds.Resume(A, 0);

        Assert.Equal(VcpuRunState.Running, rounds.StateOf(A));
        Assert.Equal(new Segment(A, 0, 0, SegmentNs), Assert.Single(actions.Segments));
        Assert.Equal(A, rounds.HolderOf(0));
    }

    [Fact]
    public void A_slice_goes_on_segment_by_segment_until_it_is_spent()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(3 * SegmentNs));
        rounds.Add(A, new SchedulingParameters());
        rounds.Resume(A, 0);

        rounds.Completed(A, SegmentNs, SegmentEnd.BudgetSpent, null);

        Assert.Equal(VcpuRunState.Holding, rounds.StateOf(A));
        Assert.Equal(SegmentNs, actions.LastTickDelay);
        rounds.Tick(SegmentNs);
        rounds.Completed(A, SegmentNs, SegmentEnd.BudgetSpent, null);
        rounds.Tick(2 * SegmentNs);
        rounds.Completed(A, SegmentNs, SegmentEnd.BudgetSpent, null);

        // The third segment spent the slice: it ends, and the vCPU queues for a new one.
        Assert.Equal(VcpuRunState.Queued, rounds.StateOf(A));
        Assert.Null(rounds.HolderOf(0));
        rounds.Tick(3 * SegmentNs);
        Assert.Equal(4, actions.Segments.Count);
        Assert.Equal(VcpuRunState.Running, rounds.StateOf(A));
    }

    [Fact]
    public void A_wake_that_arrives_during_a_segment_which_then_blocks_wakes_the_vcpu_at_once()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms));
        rounds.Add(A, new SchedulingParameters());
        rounds.Resume(A, 0);

        rounds.Wake(A, 10);
        Assert.Equal(VcpuRunState.RunningWoken, rounds.StateOf(A));
        rounds.Completed(A, 500, SegmentEnd.Blocked, nextDeadlineNs: 50 * Ms);

        Assert.Equal(VcpuRunState.Queued, rounds.StateOf(A));
        rounds.Tick(500);
        Assert.Equal(2, actions.Segments.Count);
    }

    [Fact]
    public void A_blocked_vcpu_sleeps_until_its_deadline_and_segments_never_run_past_it()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms));
        rounds.Add(A, new SchedulingParameters());
        rounds.Add(B, new SchedulingParameters());
        rounds.Resume(A, 0);
        rounds.Completed(A, 1_000, SegmentEnd.Blocked, nextDeadlineNs: 41_000);
        rounds.Tick(1_000);

        Assert.True(rounds.Sleeping);
        Assert.Equal(40_000, actions.LastTickDelay);

        // B wakes meanwhile: its segment is cut at A's deadline.
        rounds.Resume(B, 11_000);
        Assert.Equal(new Segment(B, 0, 11_000, 30_000), actions.Segments[^1]);
        rounds.Completed(B, 30_000, SegmentEnd.BudgetSpent, null);
        rounds.Tick(41_000);

        Assert.Equal(VcpuRunState.Queued, rounds.StateOf(A));
        Assert.Equal(VcpuRunState.Running, rounds.StateOf(B));
    }

    [Fact]
    public void A_deadline_in_the_past_still_gets_the_shortest_segment_rather_than_an_empty_one()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms));
        rounds.Add(A, new SchedulingParameters());
        rounds.Add(B, new SchedulingParameters());
        rounds.Resume(A, 0);
        rounds.Resume(B, 0);
        rounds.Completed(A, 10, SegmentEnd.Blocked, nextDeadlineNs: 20);
        rounds.Tick(10);

        Assert.Equal(SliceRounds.ShortestSegmentNs, actions.Segments[^1].Budget);
    }

    [Fact]
    public void Pausing_a_running_vcpu_takes_effect_at_the_end_of_its_segment_and_it_is_descheduled_when_picked()
    {
        var policy = new RoundRobinPolicy(10 * Ms);
        var (rounds, actions) = Create(policy);
        rounds.Add(A, new SchedulingParameters());
        rounds.Resume(A, 0);

        rounds.Suspend(A);
        Assert.Equal(VcpuRunState.RunningPausing, rounds.StateOf(A));
        rounds.Completed(A, SegmentNs, SegmentEnd.BudgetSpent, null);
        Assert.Equal(VcpuRunState.PausedQueued, rounds.StateOf(A));

        rounds.Tick(SegmentNs);

        Assert.Equal(VcpuRunState.PausedBlocked, rounds.StateOf(A));
        Assert.Single(actions.Segments);
        Assert.True(rounds.Sleeping);

        rounds.Resume(A, 2 * SegmentNs);
        Assert.Equal(VcpuRunState.Running, rounds.StateOf(A));
        Assert.Equal(2, actions.Segments.Count);
    }

    [Fact]
    public void A_wake_that_reaches_a_paused_vcpu_is_dropped()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms));
        rounds.Add(A, new SchedulingParameters());

        rounds.Wake(A, 0);

        Assert.Equal(VcpuRunState.PausedBlocked, rounds.StateOf(A));
        Assert.Empty(actions.Segments);
    }

    [Fact]
    public void A_tickled_cpu_is_asked_to_preempt_the_segment_in_flight_and_its_slice_ends_with_the_segment()
    {
        var policy = new CreditPolicy(1, timesliceNs: 2 * SegmentNs, accountingPeriodNs: 30 * Ms);
        var (rounds, actions) = Create(policy);
        rounds.Add(A, new SchedulingParameters());
        rounds.Add(B, new SchedulingParameters());
        rounds.Resume(A, 0);
        rounds.Completed(A, SegmentNs, SegmentEnd.BudgetSpent, null);
        rounds.Tick(SegmentNs);
        rounds.Completed(A, SegmentNs, SegmentEnd.BudgetSpent, null);
        rounds.Tick(2 * SegmentNs);

        // A's first slice is over, so its wake-up boost is gone; B wakes boosted while A's segment is in flight: credit tickles CPU 0.
        Assert.Equal(VcpuRunState.Running, rounds.StateOf(A));
        rounds.Resume(B, (2 * SegmentNs) + 10);

        Assert.Equal([A], actions.Preempted);
        rounds.Completed(A, 50, SegmentEnd.BudgetSpent, null);
        Assert.Equal(VcpuRunState.Queued, rounds.StateOf(A));
        rounds.Tick((2 * SegmentNs) + 50);
        Assert.Equal(B, actions.Segments[^1].Vcpu);
    }

    [Fact]
    public void Removing_a_vcpu_whose_segment_is_in_flight_ends_the_round_without_it()
    {
        var (rounds, actions) = BothRunningOnTwoCpus();
        rounds.Completed(A, 700, SegmentEnd.BudgetSpent, null);
        Assert.Null(actions.LastTickDelay);

        rounds.Remove(B, 800);

        Assert.Null(rounds.StateOf(B));
        Assert.Equal(700, actions.LastTickDelay);
        Assert.Equal(3, actions.Segments.Count);
        Assert.Null(rounds.HolderOf(1));
    }

    [Fact]
    public void A_second_report_of_the_same_segment_is_ignored()
    {
        var (rounds, actions) = BothRunningOnTwoCpus();

        rounds.Completed(A, 700, SegmentEnd.BudgetSpent, null);
        rounds.Completed(A, 700, SegmentEnd.BudgetSpent, null);

        Assert.Null(actions.LastTickDelay);
        rounds.Completed(B, 900, SegmentEnd.BudgetSpent, null);
        Assert.Equal(900, actions.LastTickDelay);
    }

    [Fact]
    public void An_offline_vcpu_brought_up_while_its_last_segment_ran_is_woken_when_it_is_accounted()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms));
        rounds.Add(A, new SchedulingParameters());
        rounds.Resume(A, 0);
        rounds.Wake(A, 5);

        rounds.Completed(A, 100, SegmentEnd.Offline, null);

        Assert.Equal(VcpuRunState.Queued, rounds.StateOf(A));
        rounds.Tick(100);
        Assert.Equal(2, actions.Segments.Count);
    }

    [Fact]
    public void A_stopped_guest_is_descheduled_and_not_woken_by_its_old_timer()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms));
        rounds.Add(A, new SchedulingParameters());
        rounds.Resume(A, 0);

        rounds.Completed(A, 100, SegmentEnd.Stopped, nextDeadlineNs: 200);
        rounds.Tick(100);

        Assert.Equal(VcpuRunState.Blocked, rounds.StateOf(A));
        Assert.True(rounds.Sleeping);
        Assert.Equal(100, actions.LastTickDelay);
        Assert.Single(actions.Segments);
    }

    [Fact]
    public void A_vcpu_resumed_during_a_round_waits_for_the_next_round_even_with_a_cpu_idle()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms), physicalCpus: 2);
        rounds.Add(A, new SchedulingParameters());
        rounds.Add(B, new SchedulingParameters());
        rounds.Resume(A, 0);

        rounds.Resume(B, 0);

        Assert.Equal(VcpuRunState.Queued, rounds.StateOf(B));
        Assert.Single(actions.Segments);
        rounds.Completed(A, 100, SegmentEnd.BudgetSpent, null);
        rounds.Tick(100);
        Assert.Equal(new Segment(B, 1, 100, SegmentNs), actions.Segments[^1]);
    }

    /// <summary>A and B each hold one of two physical CPUs with a segment in flight (the second round; rounds run in lockstep).</summary>
    private static (SliceRounds Rounds, RecordingActions Actions) BothRunningOnTwoCpus()
    {
        var (rounds, actions) = Create(new RoundRobinPolicy(10 * Ms), physicalCpus: 2);
        rounds.Add(A, new SchedulingParameters());
        rounds.Add(B, new SchedulingParameters());
        rounds.Resume(A, 0);
        rounds.Resume(B, 0);
        rounds.Completed(A, 100, SegmentEnd.BudgetSpent, null);
        rounds.Tick(100);
        Assert.Equal(VcpuRunState.Running, rounds.StateOf(A));
        Assert.Equal(VcpuRunState.Running, rounds.StateOf(B));
        actions.CancelTick();
        return (rounds, actions);
    }

    private static (SliceRounds Rounds, RecordingActions Actions) Create(ISchedulerPolicy policy, int physicalCpus = 1)
    {
        var actions = new RecordingActions();
        return (new SliceRounds(policy, actions, physicalCpus, SegmentNs, nanosecondsPerInstruction: 1.0), actions);
    }

    private sealed record Segment(VcpuKey Vcpu, int Pcpu, long NowNs, long Budget);

    /// <summary>Records what the machine asks for, as the host's scheduler actor would carry it out.</summary>
    private sealed class RecordingActions : IRoundActions
    {
        public List<Segment> Segments { get; } = [];

        public List<VcpuKey> Preempted { get; } = [];

        /// <summary>The delay of the tick asked for last and not cancelled since, or null.</summary>
        public long? LastTickDelay { get; private set; }

        public void RunSegment(VcpuKey vcpu, int pcpu, long nowNs, long budget) => Segments.Add(new Segment(vcpu, pcpu, nowNs, budget));

        public void Preempt(VcpuKey vcpu) => Preempted.Add(vcpu);

        public void TickAfter(long delayNs) => LastTickDelay = delayNs;

        public void CancelTick() => LastTickDelay = null;
    }
}
