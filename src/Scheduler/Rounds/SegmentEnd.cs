namespace ActorVisor.Scheduler.Rounds;

/// <summary>Why a segment of a slice ended, as the vCPU reports it.</summary>
public enum SegmentEnd
{
    /// <summary>The segment's instruction budget is spent; the slice may go on.</summary>
    BudgetSpent,

    /// <summary>The guest yielded its CPU.</summary>
    Yielded,

    /// <summary>The guest blocked, waiting for an event or its timer.</summary>
    Blocked,

    /// <summary>The vCPU went offline (VCPUOP_down, or before VCPUOP_up): a later up wakes it.</summary>
    Offline,

    /// <summary>The guest stopped (shut down or crashed): it is descheduled.</summary>
    Stopped,
}
