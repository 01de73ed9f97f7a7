using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Scheduler;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>Registers a vCPU with the scheduler; it starts paused and blocked.</summary>
public sealed record AddVcpu(VcpuKey Vcpu, IActorRef Actor, SchedulingParameters Parameters);

/// <summary>Lets a registered vCPU be scheduled (its domain was unpaused).</summary>
public sealed record ResumeVcpu(VcpuKey Vcpu);

/// <summary>Keeps a vCPU off the physical CPUs from its next slice on (its domain was paused or shut down).</summary>
public sealed record SuspendVcpu(VcpuKey Vcpu);

/// <summary>An event became deliverable to a vCPU (its domain's event channels kicked it): a blocked vCPU is made runnable.</summary>
public sealed record WakeVcpu(VcpuKey Vcpu);

/// <summary>Forgets a vCPU (its domain is gone); a slice it is running is accounted and dropped.</summary>
public sealed record RemoveVcpu(VcpuKey Vcpu);

/// <summary>Run the guest on physical CPU <paramref name="Pcpu"/> for at most <paramref name="Budget"/> instructions, starting at virtual time <paramref name="NowNs"/>.</summary>
public sealed record RunSlice(int Pcpu, long NowNs, long Budget);

/// <summary>
/// A slice ended: why, how many instructions it retired, and when the vCPU's next timer fires
/// (so that a blocked vCPU can be woken by it).
/// </summary>
public sealed record SliceCompleted(VcpuKey Vcpu, SliceOutcome Outcome, long Retired, long? NextDeadlineNs);

/// <summary>The guest of a domain stopped by itself (shut down or crashed); sent by a vCPU to its domain and by the domain to the hypervisor.</summary>
public sealed record GuestStopped(int DomainId, ShutdownReason Reason, bool Crashed, string Detail);

/// <summary>
/// Ends the slice the receiving vCPU is running at its CPU's next budget check (a wake-up asked to
/// preempt its physical CPU). Only a slice running on a physical-CPU thread can be cut this way;
/// a vCPU that is not running ignores it.
/// </summary>
public sealed record PreemptSlice
{
    public static PreemptSlice Instance { get; } = new();
}

/// <summary>Makes the receiving vCPU throw a host exception at its next slice.</summary>
public sealed record ArmHostFault;
