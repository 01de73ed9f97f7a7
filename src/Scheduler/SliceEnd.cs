namespace ActorVisor.Scheduler;

/// <summary>Why a vCPU gave its physical CPU back at the end of a slice.</summary>
public enum SliceEnd
{
    /// <summary>The vCPU used its whole slice and is still runnable.</summary>
    Preempted,

    /// <summary>The vCPU asked to yield (SCHEDOP_yield) and is still runnable.</summary>
    Yielded,

    /// <summary>The vCPU blocked (SCHEDOP_block or poll) and waits for an event or timer.</summary>
    Blocked,

    /// <summary>The vCPU went down, paused or its domain shut down; it leaves the run queue.</summary>
    Descheduled,
}
