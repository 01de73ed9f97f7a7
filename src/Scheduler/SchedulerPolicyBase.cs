namespace ActorVisor.Scheduler;

/// <summary>
/// Bookkeeping shared by every policy: the vCPU table, the lifecycle transitions and the
/// consumed-time counters. A concrete policy keeps its run queue and decides order and slice
/// length in the On* hooks.
/// </summary>
/// <remarks>
/// Invariants: a vCPU is in exactly one state; a vCPU is Running on at most one physical CPU
/// and only between a PickNext that returned it and the SliceFinished for it; the run queue of a
/// policy holds exactly the Runnable vCPUs it has not parked.
/// </remarks>
public abstract class SchedulerPolicyBase<TEntry> : ISchedulerPolicy
    where TEntry : SchedulerPolicyBase<TEntry>.Entry
{
    private readonly Dictionary<VcpuKey, TEntry> _entries = [];

    public abstract string Name { get; }

    /// <summary>Every known vCPU in registration order of the dictionary (not a scheduling order).</summary>
    protected IReadOnlyDictionary<VcpuKey, TEntry> Entries => _entries;

    public void Add(VcpuKey vcpu, SchedulingParameters parameters)
    {
        ThrowIfInvalid(parameters);
        if (_entries.ContainsKey(vcpu))
        {
            throw new InvalidOperationException($"{Name}: {vcpu} is already registered");
        }
        _entries[vcpu] = CreateEntry(vcpu, parameters);
    }

    public void Remove(VcpuKey vcpu)
    {
        if (_entries.Remove(vcpu, out var entry) && entry.State == VcpuState.Runnable)
        {
            OnDequeued(entry);
        }
    }

    public void SetParameters(int domainId, SchedulingParameters parameters)
    {
        ThrowIfInvalid(parameters);
        foreach (var entry in _entries.Values.Where(e => e.Key.DomainId == domainId))
        {
            entry.Parameters = parameters;
        }
    }

    public int? Wake(VcpuKey vcpu, long nowNs)
    {
        var entry = Get(vcpu);
        if (entry.State != VcpuState.Blocked)
        {
            return null;
        }
        entry.State = VcpuState.Runnable;
        OnWoken(entry, nowNs);
        int? victim = null;
        foreach (var running in _entries.Values)
        {
            if (running.State == VcpuState.Running && ShouldPreempt(entry, running) && (victim is null || running.Pcpu < victim))
            {
                victim = running.Pcpu;
            }
        }
        return victim;
    }

    public SchedulingDecision PickNext(int pcpu, long nowNs)
    {
        var entry = OnPick(pcpu, nowNs, out var sliceNs);
        if (entry is null)
        {
            return SchedulingDecision.Idle;
        }
        if (entry.State != VcpuState.Runnable)
        {
            throw new InvalidOperationException($"{Name}: picked {entry.Key} in state {entry.State}");
        }
        entry.State = VcpuState.Running;
        entry.Pcpu = pcpu;
        return new SchedulingDecision(entry.Key, sliceNs);
    }

    public void SliceFinished(VcpuKey vcpu, long ranNs, SliceEnd reason, long nowNs)
    {
        var entry = Get(vcpu);
        if (entry.State != VcpuState.Running)
        {
            throw new InvalidOperationException($"{Name}: {vcpu} finished a slice while {entry.State}");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(ranNs);
        entry.ConsumedNs += ranNs;
        entry.Pcpu = -1;
        var stillRunnable = reason is SliceEnd.Preempted or SliceEnd.Yielded;
        entry.State = stillRunnable ? VcpuState.Runnable : VcpuState.Blocked;
        OnSliceFinished(entry, ranNs, reason, nowNs);
    }

    public virtual long? NextEventNs(long nowNs) => null;

    public long ConsumedNs(VcpuKey vcpu) => Get(vcpu).ConsumedNs;

    /// <summary>The current state of a vCPU, for tests and the summary table.</summary>
    public VcpuState StateOf(VcpuKey vcpu) => Get(vcpu).State;

    protected abstract TEntry CreateEntry(VcpuKey vcpu, SchedulingParameters parameters);

    /// <summary>A blocked vCPU became runnable: put it on the run queue.</summary>
    protected abstract void OnWoken(TEntry entry, long nowNs);

    /// <summary>Take the next vCPU for <paramref name="pcpu"/> off the run queue, or null to idle.</summary>
    protected abstract TEntry? OnPick(int pcpu, long nowNs, out long sliceNs);

    /// <summary>Account a finished slice; a vCPU whose state is now Runnable goes back on the run queue.</summary>
    protected abstract void OnSliceFinished(TEntry entry, long ranNs, SliceEnd reason, long nowNs);

    /// <summary>Whether a just-woken vCPU should take the physical CPU of a running one now.</summary>
    protected virtual bool ShouldPreempt(TEntry woken, TEntry running) => false;

    /// <summary>A runnable vCPU is being removed: take it off the run queue.</summary>
    protected abstract void OnDequeued(TEntry entry);

    private TEntry Get(VcpuKey vcpu) =>
        _entries.TryGetValue(vcpu, out var entry)
            ? entry
            : throw new InvalidOperationException($"{Name}: {vcpu} is not registered");

    private void ThrowIfInvalid(SchedulingParameters parameters)
    {
        if (parameters.Validate() is { } reason)
        {
            throw new ArgumentException($"{Name}: {reason}", nameof(parameters));
        }
    }

    /// <summary>Per-vCPU bookkeeping common to all policies.</summary>
    public abstract class Entry(VcpuKey key, SchedulingParameters parameters)
    {
        public VcpuKey Key { get; } = key;

        public SchedulingParameters Parameters { get; set; } = parameters;

        public VcpuState State { get; set; } = VcpuState.Blocked;

        public long ConsumedNs { get; set; }

        /// <summary>The physical CPU it runs on while Running; -1 otherwise.</summary>
        public int Pcpu { get; set; } = -1;
    }
}
