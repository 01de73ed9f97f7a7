using ActorVisor.Host.Domains;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Scheduler;
using ActorVisor.TestKit;
using Akka.Actor;

namespace ActorVisor.Host.Tests;

/// <summary>
/// The scheduler actor with stand-ins for vCPU actors on one physical CPU: a CPU-bound vCPU with
/// 30 ms slices and a vCPU that sleeps and is woken by its timer or by an event. The wake-up
/// latency is the policy's: the credit policy's BOOST preempts the running slice at the end of
/// its segment, round robin lets the slice run out. (Credit boosts a waking vCPU that has credit
/// left; before the first accounting, at 30 ms, nobody has, so the credit checks look later.)
/// </summary>
public sealed class PreemptionTests : DeterministicTestKit
{
    private const long SliceNs = 30_000_000;
    private static readonly VcpuKey Busy = new(1, 0);
    private static readonly VcpuKey Sleeper = new(2, 0);

    public PreemptionTests()
        : base(seed: 3)
    {
    }

    [Fact]
    public void A_timer_wake_up_preempts_a_cpu_bound_slice_under_credit_but_waits_for_it_under_round_robin()
    {
        var credit = TimerLatencies(new CreditPolicy(1, SliceNs, 30_000_000)).Where(w => w.DueNs > 31_000_000).ToList();
        var roundRobin = TimerLatencies(new RoundRobinPolicy(SliceNs));

        Assert.True(credit.Count >= 50, $"only {credit.Count} wake-ups");
        Assert.All(credit, w => Assert.InRange(w.LatencyNs, 0, 100_000));
        Assert.True(roundRobin.Max(w => w.LatencyNs) > 10_000_000, $"round robin woke within {roundRobin.Max(w => w.LatencyNs)} ns");
    }

    [Fact]
    public void An_event_wake_up_in_the_middle_of_a_slice_runs_the_woken_vcpu_within_one_preemption_check()
    {
        Assert.InRange(EventLatency(new CreditPolicy(1, SliceNs, 30_000_000)), 0, 100_000);
        Assert.InRange(EventLatency(new RoundRobinPolicy(SliceNs)), 10_000_000, SliceNs);
    }

    [Fact]
    public void A_tickle_tells_the_vcpu_whose_slice_is_still_running_to_stop_at_its_next_budget_check()
    {
        // 100 µs slices: the busy vCPU's first slice ends (and with it the boost every resumed vCPU gets), its second is held.
        var (creditPreempts, creditStarts) = PreemptOfRunningSlice(new CreditPolicy(1, 100_000, 30_000_000), "credit");
        var (roundRobinPreempts, roundRobinStarts) = PreemptOfRunningSlice(new RoundRobinPolicy(100_000), "rr");

        Assert.Equal(1, creditPreempts);
        Assert.Equal([105_000L], creditStarts); // as soon as the cut-short second slice (5 000 instructions) ended
        Assert.Equal(0, roundRobinPreempts);
        Assert.Empty(roundRobinStarts);
    }

    /// <summary>
    /// The busy vCPU's slice is still running (its stand-in has not answered) when the sleeper is
    /// resumed; returns how often the busy vCPU was told to stop and when the sleeper then ran.
    /// </summary>
    private (int Preempts, List<long> SleeperStarts) PreemptOfRunningSlice(ISchedulerPolicy policy, string name)
    {
        var preempts = new int[1];
        var starts = new List<long>();
        var runtime = Runtime;
        long startNs = runtime.Now.Ticks * 100;
        var scheduler = Sys.ActorOf(Props.Create(() => new SchedulerActor(policy, new SchedulerOptions(1))), name + "-held");
        var busy = Sys.ActorOf(Props.Create(() => new HeldVcpu(Busy, preempts)), name + "-held-busy");
        var sleeper = Sys.ActorOf(Props.Create(() => new EventSleeper(Sleeper, starts)), name + "-held-sleeper");
        scheduler.Tell(new AddVcpu(Busy, busy, new SchedulingParameters(256, 0)), ActorRefs.NoSender);
        scheduler.Tell(new AddVcpu(Sleeper, sleeper, new SchedulingParameters(256, 0)), ActorRefs.NoSender);
        scheduler.Tell(new ResumeVcpu(Busy), ActorRefs.NoSender);
        runtime.AdvanceTo(runtime.Now + TimeSpan.FromTicks(1_000));

        scheduler.Tell(new ResumeVcpu(Sleeper), ActorRefs.NoSender);
        runtime.RunUntilIdle();
        runtime.AdvanceTo(runtime.Now + TimeSpan.FromMilliseconds(1));
        Sys.Stop(scheduler);
        runtime.RunUntilIdle();
        return (preempts[0], starts.Select(start => start - startNs).ToList());
    }

    /// <summary>Runs the pair for 100 ms with the sleeper blocking 1 ms at a time; returns each timer deadline and how late the sleeper ran after it.</summary>
    private List<(long DueNs, long LatencyNs)> TimerLatencies(ISchedulerPolicy policy)
    {
        var starts = new List<long>();
        var deadlines = new List<long>();
        var scheduler = Start(policy, Props.Create(() => new TimerSleeper(Sleeper, starts, deadlines)), "timer" + policy.Name);

        Runtime.AdvanceTo(Runtime.Now + TimeSpan.FromMilliseconds(100));
        Sys.Stop(scheduler);
        Runtime.RunUntilIdle();

        return starts.Skip(1).Zip(deadlines, (start, due) => (due, start - due)).ToList();
    }

    /// <summary>Lets the busy vCPU run, wakes the sleeper with an event at 40 ms (10 ms into a slice), and returns how late the sleeper ran.</summary>
    private long EventLatency(ISchedulerPolicy policy)
    {
        var starts = new List<long>();
        var scheduler = Start(policy, Props.Create(() => new EventSleeper(Sleeper, starts)), "event" + policy.Name);
        var runtime = Runtime;
        long wakeAt = runtime.Now.Ticks * 100 + 40_000_000;
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(40), scheduler, new WakeVcpu(Sleeper), ActorRefs.NoSender);

        runtime.AdvanceTo(runtime.Now + TimeSpan.FromMilliseconds(100));
        Sys.Stop(scheduler);
        runtime.RunUntilIdle();

        Assert.Equal(2, starts.Count);
        return starts[1] - wakeAt;
    }

    private IActorRef Start(ISchedulerPolicy policy, Props sleeper, string name)
    {
        var scheduler = Sys.ActorOf(Props.Create(() => new SchedulerActor(policy, new SchedulerOptions(1))), name);
        var busy = Sys.ActorOf(Props.Create(() => new BusyVcpu(Busy)), name + "-busy");
        var sleeping = Sys.ActorOf(sleeper, name + "-sleeper");
        scheduler.Tell(new AddVcpu(Busy, busy, new SchedulingParameters(256, 0)), ActorRefs.NoSender);
        scheduler.Tell(new AddVcpu(Sleeper, sleeping, new SchedulingParameters(256, 0)), ActorRefs.NoSender);
        scheduler.Tell(new ResumeVcpu(Sleeper), ActorRefs.NoSender);
        scheduler.Tell(new ResumeVcpu(Busy), ActorRefs.NoSender);
        Runtime.RunUntilIdle();
        return scheduler;
    }

    /// <summary>Spends every instruction of every slice it is given.</summary>
    private sealed class BusyVcpu : ReceiveActor
    {
        public BusyVcpu(VcpuKey key) =>
            Receive<RunSlice>(slice => Sender.Tell(new SliceCompleted(key, SliceOutcome.BudgetSpent, slice.Budget, null), Self));
    }

    /// <summary>Runs 1000 instructions, then blocks with its timer set 1 ms later; records when each slice started and each deadline.</summary>
    private sealed class TimerSleeper : ReceiveActor
    {
        public TimerSleeper(VcpuKey key, List<long> starts, List<long> deadlines) =>
            Receive<RunSlice>(slice =>
            {
                starts.Add(slice.NowNs);
                long deadline = slice.NowNs + 1_000 + 1_000_000;
                deadlines.Add(deadline);
                Sender.Tell(new SliceCompleted(key, SliceOutcome.Blocked, 1_000, deadline), Self);
            });
    }

    /// <summary>Spends its first slice; then stands for a slice running on another thread, which answers only when told to stop, after 5 000 instructions.</summary>
    private sealed class HeldVcpu : ReceiveActor
    {
        public HeldVcpu(VcpuKey key, int[] preempts)
        {
            IActorRef? scheduler = null;
            bool first = true;
            Receive<RunSlice>(slice =>
            {
                if (first)
                {
                    first = false;
                    Sender.Tell(new SliceCompleted(key, SliceOutcome.BudgetSpent, slice.Budget, null), Self);
                    return;
                }

                scheduler = Sender;
            });
            Receive<PreemptSlice>(_ =>
            {
                preempts[0]++;
                scheduler?.Tell(new SliceCompleted(key, SliceOutcome.BudgetSpent, 5_000, null), Self);
            });
        }
    }

    /// <summary>Runs 1000 instructions, then blocks with no timer: only an event wakes it.</summary>
    private sealed class EventSleeper : ReceiveActor
    {
        public EventSleeper(VcpuKey key, List<long> starts) =>
            Receive<RunSlice>(slice =>
            {
                starts.Add(slice.NowNs);
                Sender.Tell(new SliceCompleted(key, SliceOutcome.Blocked, 1_000, null), Self);
            });
    }
}
