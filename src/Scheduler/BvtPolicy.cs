namespace ActorVisor.Scheduler;

/// <summary>
/// Borrowed Virtual Time, the scheduler of the Xen paper. Each vCPU keeps an actual virtual
/// time that advances, while it runs, inversely to its domain's weight; the runnable vCPU with
/// the smallest effective virtual time (actual minus its warp) runs next, for as long as it
/// takes to pass the next-smallest by the context-switch allowance. A vCPU that wakes after
/// sleeping is brought forward to the scheduler's virtual time (the smallest actual virtual time
/// of the runnable vCPUs), so sleeping never builds up a claim on the CPU. Warp lets a
/// latency-sensitive domain be picked ahead of its fair turn; this model applies a domain's
/// warp whenever it is set (the paper's warp-time limits are not modelled).
/// </summary>
/// <remarks>
/// Invariants: actual virtual time never decreases; every Runnable vCPU is in the run set exactly
/// once; the scheduler virtual time never decreases.
/// </remarks>
public sealed class BvtPolicy : SchedulerPolicyBase<BvtPolicy.BvtEntry>
{
    /// <summary>The weight at which virtual time advances at the rate of real time.</summary>
    public const int UnitWeight = SchedulingParameters.DefaultWeight;

    private readonly List<BvtEntry> _runnable = [];
    private long _sequence;
    private long _schedulerVirtualTime;

    public BvtPolicy(long maxSliceNs, long contextSwitchAllowanceNs, long minSliceNs = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSliceNs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(contextSwitchAllowanceNs);
        ArgumentOutOfRangeException.ThrowIfLessThan(minSliceNs, 1);
        MaxSliceNs = maxSliceNs;
        ContextSwitchAllowanceNs = contextSwitchAllowanceNs;
        MinSliceNs = Math.Min(minSliceNs, maxSliceNs);
    }

    public override string Name => "bvt";

    public long MaxSliceNs { get; }

    public long ContextSwitchAllowanceNs { get; }

    public long MinSliceNs { get; }

    /// <summary>The actual virtual time of a vCPU, for tests and tracing.</summary>
    public long ActualVirtualTimeOf(VcpuKey vcpu) => Entries[vcpu].ActualVirtualTime;

    protected override BvtEntry CreateEntry(VcpuKey vcpu, SchedulingParameters parameters) => new(vcpu, parameters);

    protected override void OnWoken(BvtEntry entry, long nowNs)
    {
        entry.ActualVirtualTime = Math.Max(entry.ActualVirtualTime, _schedulerVirtualTime);
        Enqueue(entry);
    }

    protected override BvtEntry? OnPick(int pcpu, long nowNs, out long sliceNs)
    {
        sliceNs = MaxSliceNs;
        if (_runnable.Count == 0)
        {
            return null;
        }
        BvtEntry best = _runnable[0];
        foreach (var entry in _runnable)
        {
            if (IsBefore(entry, best))
            {
                best = entry;
            }
        }
        _runnable.Remove(best);
        _schedulerVirtualTime = Math.Max(_schedulerVirtualTime, _runnable.Append(best).Min(e => e.ActualVirtualTime));
        if (_runnable.Count > 0)
        {
            var nextEffective = _runnable.Min(EffectiveVirtualTime);
            var virtualLead = nextEffective - EffectiveVirtualTime(best) + ContextSwitchAllowanceNs;
            sliceNs = Math.Clamp(virtualLead * best.Parameters.Weight / UnitWeight, MinSliceNs, MaxSliceNs);
        }
        return best;
    }

    protected override void OnSliceFinished(BvtEntry entry, long ranNs, SliceEnd reason, long nowNs)
    {
        entry.ActualVirtualTime += ranNs * UnitWeight / entry.Parameters.Weight;
        if (entry.State == VcpuState.Runnable)
        {
            Enqueue(entry);
        }
    }

    protected override void OnDequeued(BvtEntry entry) => _runnable.Remove(entry);

    /// <summary>A woken vCPU preempts one whose effective virtual time is ahead of its own by more than the allowance.</summary>
    protected override bool ShouldPreempt(BvtEntry woken, BvtEntry running) =>
        EffectiveVirtualTime(woken) + ContextSwitchAllowanceNs < EffectiveVirtualTime(running);

    private static long EffectiveVirtualTime(BvtEntry entry) => entry.ActualVirtualTime - entry.Parameters.WarpNs;

    private static bool IsBefore(BvtEntry a, BvtEntry b)
    {
        var ea = EffectiveVirtualTime(a);
        var eb = EffectiveVirtualTime(b);
        return ea < eb || (ea == eb && a.Sequence < b.Sequence);
    }

    private void Enqueue(BvtEntry entry)
    {
        entry.Sequence = _sequence++;
        _runnable.Add(entry);
    }

    public sealed class BvtEntry(VcpuKey key, SchedulingParameters parameters) : Entry(key, parameters)
    {
        public long ActualVirtualTime { get; set; }

        public long Sequence { get; set; }
    }
}
