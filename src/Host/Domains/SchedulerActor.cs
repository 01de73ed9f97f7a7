using ActorVisor.Actors;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Scheduler;
using ActorVisor.Scheduler.Rounds;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The scheduler of the host: a thin actor around <see cref="SliceRounds"/>, the pure round,
/// segment and tickle machine of src/Scheduler, which hands out slices of the physical CPUs with an
/// <see cref="ISchedulerPolicy"/>. The actor turns messages into calls of that machine and its
/// requests back into messages: a segment to run becomes a <see cref="RunSlice"/> to the vCPU's
/// actor, a preemption a <see cref="PreemptSlice"/> (in parallel mode the slice runs on another
/// thread and stops at its next budget check), and the next round a timer of the virtual clock.
/// Virtual time is the actor system's clock; under the deterministic dispatcher retired
/// instructions are what moves it (one instruction is <see cref="SchedulerOptions.NanosecondsPerInstruction"/>).
/// </summary>
public sealed class SchedulerActor : ReceiveActor, IWithTimers, IRoundActions
{
    private const string TickKey = "tick";
    private readonly SliceRounds _rounds;
    private readonly Dictionary<VcpuKey, IActorRef> _actors = [];

    public SchedulerActor(ISchedulerPolicy policy, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _rounds = new SliceRounds(policy, this, options.PhysicalCpus, options.PreemptionCheckNs, options.NanosecondsPerInstruction);
        Receive<AddVcpu>(add =>
        {
            _actors[add.Vcpu] = add.Actor;
            _rounds.Add(add.Vcpu, add.Parameters);
        });
        Receive<ResumeVcpu>(resume => _rounds.Resume(resume.Vcpu, NowNs));
        Receive<SuspendVcpu>(suspend => _rounds.Suspend(suspend.Vcpu));
        Receive<WakeVcpu>(wake => _rounds.Wake(wake.Vcpu, NowNs));
        Receive<RemoveVcpu>(remove =>
        {
            _rounds.Remove(remove.Vcpu, NowNs);
            _actors.Remove(remove.Vcpu);
        });
        Receive<SliceCompleted>(done => _rounds.Completed(done.Vcpu, done.Retired, ToSegmentEnd(done.Outcome), done.NextDeadlineNs));
        Receive<Tick>(_ => _rounds.Tick(NowNs));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private long NowNs => VirtualClock.Nanoseconds(Context.System.Scheduler);

    void IRoundActions.RunSegment(VcpuKey vcpu, int pcpu, long nowNs, long budget) => _actors[vcpu].Tell(new RunSlice(pcpu, nowNs, budget), Self);

    void IRoundActions.Preempt(VcpuKey vcpu) => _actors[vcpu].Tell(PreemptSlice.Instance, Self);

    void IRoundActions.TickAfter(long delayNs) => Timers.StartSingleTimer(TickKey, Tick.Instance, VirtualClock.Delay(delayNs));

    void IRoundActions.CancelTick() => Timers.Cancel(TickKey);

    private static SegmentEnd ToSegmentEnd(SliceOutcome outcome) => outcome switch
    {
        SliceOutcome.BudgetSpent => SegmentEnd.BudgetSpent,
        SliceOutcome.Yielded => SegmentEnd.Yielded,
        SliceOutcome.Blocked => SegmentEnd.Blocked,
        SliceOutcome.Offline => SegmentEnd.Offline,
        _ => SegmentEnd.Stopped,
    };

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
