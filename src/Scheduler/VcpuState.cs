namespace ActorVisor.Scheduler;

/// <summary>Where a vCPU stands inside a policy; see <see cref="ISchedulerPolicy"/> for the transitions.</summary>
public enum VcpuState
{
    Blocked,
    Runnable,
    Running,
}
