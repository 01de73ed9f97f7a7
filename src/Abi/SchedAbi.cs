namespace ActorVisor.Abi;

/// <summary>sched_op commands (SCHEDOP_* in sched.h).</summary>
public enum SchedOp
{
    Yield = 0,
    Block = 1,
    Shutdown = 2,
    Poll = 3,
    RemoteShutdown = 4,
    ShutdownCode = 5,
    Watchdog = 6,
    PinOverride = 7,
}

/// <summary>Reasons given with SCHEDOP_shutdown (SHUTDOWN_*).</summary>
public enum ShutdownReason
{
    Poweroff = 0,
    Reboot = 1,
    Suspend = 2,
    Crash = 3,
    Watchdog = 4,
    SoftReset = 5,
}

/// <summary>Limits of sched_op arguments.</summary>
public static class SchedLimits
{
    /// <summary>Most ports one SCHEDOP_poll may wait on.</summary>
    public const uint MaxPollPorts = 128;
}
