namespace ActorVisor.Scheduler;

/// <summary>
/// What a physical CPU should do next: run <see cref="Vcpu"/> for at most <see cref="SliceNs"/>
/// nanoseconds of virtual time, or idle when <see cref="Vcpu"/> is null.
/// </summary>
public readonly record struct SchedulingDecision(VcpuKey? Vcpu, long SliceNs)
{
    public static SchedulingDecision Idle { get; } = new(null, 0);

    public bool IsIdle => Vcpu is null;
}
