namespace ActorVisor.Scheduler;

/// <summary>
/// The operations every scheduling policy offers (round robin, credit, BVT). A policy is pure:
/// it keeps its own bookkeeping, never touches threads or clocks, and is driven by the caller
/// with virtual time in nanoseconds. The caller guarantees that a vCPU it was handed runs on
/// one physical CPU at a time and that every decision is followed by exactly one
/// <see cref="SliceFinished"/> for that vCPU.
/// </summary>
/// <remarks>
/// Lifecycle of a vCPU inside a policy:
/// <c>Added(blocked) --Wake--> Runnable --PickNext--> Running --SliceFinished(Preempted|Yielded)--> Runnable</c>;
/// <c>Running --SliceFinished(Blocked|Descheduled)--> Blocked --Wake--> Runnable</c>;
/// any state <c>--Remove--> gone</c>. Waking a runnable or running vCPU changes nothing.
/// </remarks>
public interface ISchedulerPolicy
{
    /// <summary>The policy's name as configuration spells it (round-robin, credit, bvt).</summary>
    string Name { get; }

    /// <summary>Registers a vCPU; it starts blocked (a new domain is created paused).</summary>
    void Add(VcpuKey vcpu, SchedulingParameters parameters);

    /// <summary>Forgets a vCPU, whatever its state.</summary>
    void Remove(VcpuKey vcpu);

    /// <summary>Changes a domain's weight, cap or warp; applies to all of its vCPUs.</summary>
    void SetParameters(int domainId, SchedulingParameters parameters);

    /// <summary>
    /// Makes a blocked vCPU runnable (an event, a timer, an unpause). Returns the physical CPU
    /// whose running slice should end now so that the woken vCPU runs sooner (Xen's "tickle"),
    /// or null when no preemption is called for.
    /// </summary>
    int? Wake(VcpuKey vcpu, long nowNs);

    /// <summary>Chooses what physical CPU <paramref name="pcpu"/> runs next.</summary>
    SchedulingDecision PickNext(int pcpu, long nowNs);

    /// <summary>Accounts a finished slice: how long the vCPU really ran and why it stopped.</summary>
    void SliceFinished(VcpuKey vcpu, long ranNs, SliceEnd reason, long nowNs);

    /// <summary>The virtual time at which a capped or throttled policy next has work, or null if none is waiting on time.</summary>
    long? NextEventNs(long nowNs);

    /// <summary>How much CPU time each vCPU has been given so far, for the summary table.</summary>
    long ConsumedNs(VcpuKey vcpu);
}
