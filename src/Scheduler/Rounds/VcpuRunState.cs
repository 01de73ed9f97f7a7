namespace ActorVisor.Scheduler.Rounds;

/// <summary>
/// Where a vCPU stands in <see cref="SliceRounds"/>. The transitions (a wake-up that reaches a paused
/// vCPU is dropped, since resuming wakes it anyway):
/// <code>
/// PausedBlocked  --Resume-->          Queued         (woken; the policy may tickle a CPU)
/// PausedQueued   --Resume-->          Queued
/// PausedQueued   --PickNext-->        PausedBlocked  (descheduled instead of run)
/// Blocked        --Wake | deadline--> Queued
/// Blocked        --Suspend-->         PausedBlocked
/// Queued         --Suspend-->         PausedQueued
/// Queued         --PickNext-->        Running        (a segment is sent)
/// Running        --Wake-->            RunningWoken
/// Running*       --Suspend-->         RunningPausing
/// Running*       --segment accounted, slice goes on-->      Holding
/// Running*       --segment accounted, preempted/yielded-->  Queued
/// Running        --segment accounted, blocked/stopped-->    Blocked
/// RunningWoken   --segment accounted, blocked/offline-->    Queued   (the wake is applied now)
/// RunningPausing --segment accounted-->                     PausedQueued, or PausedBlocked if it blocked
/// Holding        --next round-->      Running, or Queued when its CPU was tickled
/// Holding        --Suspend-->         HoldingPausing --next round--> PausedQueued
/// HoldingPausing --Resume-->          Holding;  RunningPausing --Resume--> RunningWoken (a resume wakes)
/// </code>
/// </summary>
public enum VcpuRunState
{
    /// <summary>Paused and waiting for nothing: only a resume makes it runnable (a new vCPU starts here).</summary>
    PausedBlocked,

    /// <summary>Paused while in the policy's run queue: when the policy picks it, it is descheduled instead.</summary>
    PausedQueued,

    /// <summary>Waiting for an event or for its timer deadline.</summary>
    Blocked,

    /// <summary>Runnable, in the policy's run queue, holding no physical CPU.</summary>
    Queued,

    /// <summary>Holds a physical CPU's slice between two segments.</summary>
    Holding,

    /// <summary>Holds a slice whose domain was paused: the slice ends at the start of the next round.</summary>
    HoldingPausing,

    /// <summary>A segment of its slice is in flight.</summary>
    Running,

    /// <summary>A segment is in flight and an event arrived meanwhile: if the segment ends blocked, the vCPU is woken at once.</summary>
    RunningWoken,

    /// <summary>A segment is in flight and its domain was paused: the slice ends with the segment.</summary>
    RunningPausing,
}
