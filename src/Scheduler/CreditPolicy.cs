namespace ActorVisor.Scheduler;

/// <summary>
/// A proportional-share scheduler after Xen's credit scheduler. Every accounting period the
/// physical CPUs' time is handed out as credit to the active domains in proportion to their
/// weights (a capped domain gets at most its cap) and split among each domain's active vCPUs.
/// Running debits credit. Runnable vCPUs are served in priority order, first-in first-out
/// within a priority: Boost (just woken from a block, for I/O latency), Under (credit left),
/// Over (credit spent; still run when nothing else wants the CPU, so the policy is
/// work-conserving). A vCPU of a capped domain whose credit is negative is parked until the
/// next accounting returns it to zero or above, which is how caps hold even on an idle machine.
/// </summary>
/// <remarks>
/// Invariants: credit stays within [-period, +period] after each accounting (no hoarding by
/// sleepers, no unbounded debt); every Runnable vCPU is in the run queue exactly once; a parked
/// vCPU is Runnable, in the run queue, and skipped by PickNext.
/// </remarks>
public sealed class CreditPolicy : SchedulerPolicyBase<CreditPolicy.CreditEntry>
{
    private readonly LinkedList<CreditEntry> _runQueue = new();
    private long _nextAccountingNs;

    public CreditPolicy(int physicalCpus, long timesliceNs, long accountingPeriodNs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(physicalCpus, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(timesliceNs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(accountingPeriodNs, 1);
        PhysicalCpus = physicalCpus;
        TimesliceNs = timesliceNs;
        AccountingPeriodNs = accountingPeriodNs;
        _nextAccountingNs = accountingPeriodNs;
    }

    /// <summary>Priorities in the order they are served.</summary>
    public enum Priority
    {
        Boost,
        Under,
        Over,
    }

    public override string Name => "credit";

    public int PhysicalCpus { get; }

    public long TimesliceNs { get; }

    public long AccountingPeriodNs { get; }

    /// <summary>The credit a vCPU holds now, in nanoseconds of CPU time.</summary>
    public long CreditOf(VcpuKey vcpu) => Entries[vcpu].CreditNs;

    public override long? NextEventNs(long nowNs) =>
        _runQueue.Any(IsParked) ? Math.Max(_nextAccountingNs, nowNs) : null;

    protected override CreditEntry CreateEntry(VcpuKey vcpu, SchedulingParameters parameters) => new(vcpu, parameters);

    protected override void OnWoken(CreditEntry entry, long nowNs)
    {
        Account(nowNs);
        entry.Boosted = entry.CreditNs >= 0;
        entry.ActiveThisPeriod = true;
        _runQueue.AddLast(entry.Node);
    }

    protected override CreditEntry? OnPick(int pcpu, long nowNs, out long sliceNs)
    {
        Account(nowNs);
        sliceNs = TimesliceNs;
        CreditEntry? best = null;
        foreach (var entry in _runQueue)
        {
            if (IsParked(entry))
            {
                continue;
            }
            if (best is null || PriorityOf(entry) < PriorityOf(best))
            {
                best = entry;
                if (PriorityOf(best) == Priority.Boost)
                {
                    break;
                }
            }
        }
        if (best is null)
        {
            return null;
        }
        _runQueue.Remove(best.Node);
        if (best.Parameters.CapPercent > 0)
        {
            // A capped vCPU runs no longer than its credit (but at least a small quantum) so the cap holds within a period.
            sliceNs = Math.Clamp(best.CreditNs, Math.Min(TimesliceNs, 100_000), TimesliceNs);
        }
        return best;
    }

    protected override void OnSliceFinished(CreditEntry entry, long ranNs, SliceEnd reason, long nowNs)
    {
        entry.CreditNs -= ranNs;
        entry.Boosted = false;
        entry.ActiveThisPeriod = true;
        Account(nowNs);
        if (entry.State == VcpuState.Runnable)
        {
            _runQueue.AddLast(entry.Node);
        }
    }

    protected override void OnDequeued(CreditEntry entry) => _runQueue.Remove(entry.Node);

    /// <summary>A boosted wake-up preempts a vCPU that runs at a lower priority, as Xen's tickle does.</summary>
    protected override bool ShouldPreempt(CreditEntry woken, CreditEntry running) =>
        woken.Boosted && PriorityOf(running) > Priority.Boost;

    private static Priority PriorityOf(CreditEntry entry) =>
        entry.Boosted ? Priority.Boost : entry.CreditNs > 0 ? Priority.Under : Priority.Over;

    private static bool IsParked(CreditEntry entry) => entry.Parameters.CapPercent > 0 && entry.CreditNs < 0;

    /// <summary>Runs every accounting period that has ended by <paramref name="nowNs"/>.</summary>
    private void Account(long nowNs)
    {
        if (nowNs < _nextAccountingNs)
        {
            return;
        }
        // Credit is clamped, so after two periods further ones change nothing: skip ahead.
        var periods = (nowNs - _nextAccountingNs) / AccountingPeriodNs + 1;
        for (var i = 0; i < Math.Min(periods, 2); i++)
        {
            DistributeCredit();
        }
        _nextAccountingNs += periods * AccountingPeriodNs;
    }

    private void DistributeCredit()
    {
        var active = Entries.Values
            .Where(e => e.State != VcpuState.Blocked || e.ActiveThisPeriod)
            .GroupBy(e => e.Key.DomainId)
            .ToList();
        long totalWeight = active.Sum(d => (long)d.First().Parameters.Weight);
        long totalCredit = AccountingPeriodNs * PhysicalCpus;
        foreach (var domain in active)
        {
            var parameters = domain.First().Parameters;
            var domainCredit = totalCredit * parameters.Weight / totalWeight;
            if (parameters.CapPercent > 0)
            {
                domainCredit = Math.Min(domainCredit, AccountingPeriodNs * parameters.CapPercent / 100);
            }
            var vcpus = domain.Count();
            foreach (var entry in domain)
            {
                entry.CreditNs = Math.Clamp(entry.CreditNs + domainCredit / vcpus, -AccountingPeriodNs, AccountingPeriodNs);
            }
        }
        foreach (var entry in Entries.Values)
        {
            entry.ActiveThisPeriod = false;
        }
    }

    public sealed class CreditEntry : Entry
    {
        public CreditEntry(VcpuKey key, SchedulingParameters parameters)
            : base(key, parameters) => Node = new LinkedListNode<CreditEntry>(this);

        public LinkedListNode<CreditEntry> Node { get; }

        public long CreditNs { get; set; }

        public bool Boosted { get; set; }

        public bool ActiveThisPeriod { get; set; }
    }
}
