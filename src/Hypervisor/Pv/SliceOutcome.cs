namespace ActorVisor.Hypervisor.Pv;

/// <summary>Why <see cref="PvVcpu.RunSlice"/> returned.</summary>
public enum SliceOutcome
{
    /// <summary>The instruction budget was spent; the vCPU is runnable.</summary>
    BudgetSpent,

    /// <summary>The vCPU blocked (SCHEDOP_block or SCHEDOP_poll) and waits for an event or a timer.</summary>
    Blocked,

    /// <summary>The vCPU gave up the rest of its slice (SCHEDOP_yield); it is runnable.</summary>
    Yielded,

    /// <summary>The guest shut the domain down (SCHEDOP_shutdown) with <see cref="SliceResult.Reason"/>.</summary>
    ShutDown,

    /// <summary>The hypervisor crashed the domain; <see cref="SliceResult.Detail"/> says why.</summary>
    Crashed,

    /// <summary>The vCPU is offline (never brought up, or VCPUOP_down).</summary>
    Offline,
}
