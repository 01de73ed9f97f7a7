namespace ActorVisor.Scheduler.Rounds;

/// <summary>
/// Hands out slices of N physical CPUs with a pure <see cref="ISchedulerPolicy"/>, in rounds of
/// segments. At the start of a round (<see cref="Tick"/>) each physical CPU runs one segment of the
/// slice it holds, or asks the policy for a vCPU; when every segment of the round has been reported
/// (<see cref="Completed"/>), each slice is accounted and the next round is asked for after the
/// longest segment (the physical CPUs run side by side). A segment lasts at most the configured
/// segment length and never past the next timer deadline of a blocked vCPU, so the end of a
/// segment is where a physical CPU notices a preemption: when a wake-up makes the policy name a
/// physical CPU (Xen's tickle), the slice held there ends at the end of its segment, and a segment
/// in flight there is asked to stop early (<see cref="IRoundActions.Preempt"/>). When nothing is
/// runnable the machine sleeps until the earliest timer deadline or policy event.
/// </summary>
/// <remarks>
/// Invariants: a vCPU holds at most one physical CPU and a physical CPU at most one vCPU
/// (<see cref="Slot.Vcpu"/> and <see cref="Entry.Pcpu"/> name each other); a round has exactly one
/// outstanding segment per <see cref="VcpuRunState.Running"/>-family vCPU not yet reported; every
/// decision of the policy is followed by exactly one <see cref="ISchedulerPolicy.SliceFinished"/>.
/// Time is virtual nanoseconds supplied by the caller; nothing here reads a clock or a thread.
/// </remarks>
public sealed class SliceRounds
{
    /// <summary>The shortest segment, so that a deadline in the past never asks for an empty one.</summary>
    public const long ShortestSegmentNs = 1_000;

    private readonly ISchedulerPolicy _policy;
    private readonly IRoundActions _actions;
    private readonly long _segmentNs;
    private readonly double _nanosecondsPerInstruction;
    private readonly SortedDictionary<VcpuKey, Entry> _entries = [];
    private readonly Slot[] _slots;
    private readonly List<VcpuKey> _reported = [];
    private int _outstanding;
    private bool _inRound;
    private bool _sleeping = true;
    private long _roundStartNs;

    /// <param name="segmentNs">The longest segment: how often a physical CPU checks for a preemption.</param>
    public SliceRounds(ISchedulerPolicy policy, IRoundActions actions, int physicalCpus, long segmentNs, double nanosecondsPerInstruction)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentOutOfRangeException.ThrowIfLessThan(physicalCpus, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nanosecondsPerInstruction);
        _policy = policy;
        _actions = actions;
        _segmentNs = Math.Max(1, segmentNs);
        _nanosecondsPerInstruction = nanosecondsPerInstruction;
        _slots = Enumerable.Range(0, physicalCpus).Select(_ => new Slot()).ToArray();
    }

    /// <summary>True while no round is under way and none is due: the next wake-up or resume starts one.</summary>
    public bool Sleeping => _sleeping;

    /// <summary>The state of <paramref name="vcpu"/>, or null when it is not registered.</summary>
    public VcpuRunState? StateOf(VcpuKey vcpu) => _entries.TryGetValue(vcpu, out var entry) ? entry.State : null;

    /// <summary>The vCPU whose slice physical CPU <paramref name="pcpu"/> holds, if any.</summary>
    public VcpuKey? HolderOf(int pcpu) => _slots[pcpu].Vcpu;

    /// <summary>Registers a vCPU, paused and blocked (its domain is created paused).</summary>
    public void Add(VcpuKey vcpu, SchedulingParameters parameters)
    {
        _policy.Add(vcpu, parameters);
        _entries[vcpu] = new Entry();
    }

    /// <summary>Lets a paused vCPU be scheduled again; resuming wakes it.</summary>
    public void Resume(VcpuKey vcpu, long nowNs)
    {
        if (!_entries.TryGetValue(vcpu, out var entry))
        {
            return;
        }

        switch (entry.State)
        {
            case VcpuRunState.PausedBlocked:
                entry.State = VcpuRunState.Blocked;
                WakeBlocked(vcpu, entry, nowNs);
                break;
            case VcpuRunState.PausedQueued:
                entry.State = VcpuRunState.Queued;
                break;
            case VcpuRunState.HoldingPausing:
                entry.State = VcpuRunState.Holding;
                break;
            case VcpuRunState.RunningPausing:
                entry.State = VcpuRunState.RunningWoken;
                break;
            default:
                return;
        }

        Kick(nowNs);
    }

    /// <summary>Keeps a vCPU off the physical CPUs from the end of its current segment on.</summary>
    public void Suspend(VcpuKey vcpu)
    {
        if (!_entries.TryGetValue(vcpu, out var entry))
        {
            return;
        }

        entry.State = entry.State switch
        {
            VcpuRunState.Blocked => VcpuRunState.PausedBlocked,
            VcpuRunState.Queued => VcpuRunState.PausedQueued,
            VcpuRunState.Holding => VcpuRunState.HoldingPausing,
            VcpuRunState.Running or VcpuRunState.RunningWoken => VcpuRunState.RunningPausing,
            var unchanged => unchanged,
        };
    }

    /// <summary>An event became deliverable to <paramref name="vcpu"/>: a blocked vCPU is made runnable.</summary>
    public void Wake(VcpuKey vcpu, long nowNs)
    {
        if (!_entries.TryGetValue(vcpu, out var entry))
        {
            return;
        }

        switch (entry.State)
        {
            case VcpuRunState.Running:
                // Its segment may yet end blocked: the wake-up is applied when the segment is accounted.
                entry.State = VcpuRunState.RunningWoken;
                break;
            case VcpuRunState.Blocked:
                WakeBlocked(vcpu, entry, nowNs);
                Kick(nowNs);
                break;
        }
    }

    /// <summary>Forgets a vCPU; a slice it holds is accounted as descheduled and a segment it runs is no longer waited for.</summary>
    public void Remove(VcpuKey vcpu, long nowNs)
    {
        if (!_entries.TryGetValue(vcpu, out var entry))
        {
            return;
        }

        _entries.Remove(vcpu);
        if (entry.Pcpu >= 0 && _slots[entry.Pcpu].Vcpu == vcpu)
        {
            _policy.SliceFinished(vcpu, _slots[entry.Pcpu].RanNs, SliceEnd.Descheduled, nowNs);
            _slots[entry.Pcpu].Clear();
        }

        if (IsRunning(entry.State) && entry.Report is null)
        {
            _outstanding--;
            if (_inRound && _outstanding == 0)
            {
                FinishRound();
            }
        }

        _reported.Remove(vcpu);
        _policy.Remove(vcpu);
    }

    /// <summary>
    /// The segment <paramref name="vcpu"/> ran has ended: how many instructions it retired, why, and
    /// when its next timer fires (a blocked vCPU is woken by it). The round ends with the last report.
    /// </summary>
    public void Completed(VcpuKey vcpu, long retired, SegmentEnd end, long? nextDeadlineNs)
    {
        if (!_entries.TryGetValue(vcpu, out var entry) || !IsRunning(entry.State) || entry.Report is not null)
        {
            return;
        }

        entry.Report = new SegmentReport(retired, end, nextDeadlineNs);
        _reported.Add(vcpu);
        _outstanding--;
        if (_outstanding == 0)
        {
            FinishRound();
        }
    }

    /// <summary>Starts a round at <paramref name="nowNs"/> (the tick asked for by <see cref="IRoundActions.TickAfter"/>).</summary>
    public void Tick(long nowNs)
    {
        _sleeping = false;
        foreach (var (key, entry) in _entries)
        {
            if (entry.State == VcpuRunState.Blocked && entry.DeadlineNs is { } due && due <= nowNs)
            {
                WakeBlocked(key, entry, nowNs);
            }
        }

        long segmentNs = _segmentNs;
        if (EarliestDeadline() is { } deadline)
        {
            segmentNs = Math.Min(segmentNs, Math.Max(ShortestSegmentNs, deadline - nowNs));
        }

        for (int pcpu = 0; pcpu < _slots.Length; pcpu++)
        {
            var slot = _slots[pcpu];
            if (slot.Vcpu is { } holder)
            {
                var entry = _entries[holder];
                if (slot.Tickled || entry.State == VcpuRunState.HoldingPausing)
                {
                    entry.State = entry.State == VcpuRunState.HoldingPausing ? VcpuRunState.PausedQueued : VcpuRunState.Queued;
                    EndSlice(slot, holder, SliceEnd.Preempted, nowNs);
                }
                else
                {
                    Dispatch(pcpu, holder, entry, Math.Min(slot.RemainingNs, segmentNs), nowNs);
                    continue;
                }
            }

            slot.Tickled = false;
            Pick(pcpu, segmentNs, nowNs);
        }

        if (_outstanding > 0)
        {
            _inRound = true;
            _roundStartNs = nowNs;
            return;
        }

        SleepUntilNextEvent(nowNs);
    }

    private static bool IsRunning(VcpuRunState state) =>
        state is VcpuRunState.Running or VcpuRunState.RunningWoken or VcpuRunState.RunningPausing;

    /// <summary>Makes a blocked vCPU runnable and marks the physical CPU the policy wants preempted for it.</summary>
    private void WakeBlocked(VcpuKey vcpu, Entry entry, long nowNs)
    {
        entry.State = VcpuRunState.Queued;
        entry.DeadlineNs = null;
        if (_policy.Wake(vcpu, nowNs) is { } pcpu && pcpu >= 0 && pcpu < _slots.Length)
        {
            var slot = _slots[pcpu];
            slot.Tickled = true;
            if (slot.Vcpu is { } victim && _entries.TryGetValue(victim, out var running) && IsRunning(running.State) && running.Report is null)
            {
                _actions.Preempt(victim);
            }
        }
    }

    /// <summary>Starts a round now when the machine sleeps; a round under way or due picks the change up by itself.</summary>
    private void Kick(long nowNs)
    {
        if (_sleeping)
        {
            _actions.CancelTick();
            Tick(nowNs);
        }
    }

    private void Pick(int pcpu, long segmentNs, long nowNs)
    {
        for (int tries = 0; tries <= _entries.Count; tries++)
        {
            var decision = _policy.PickNext(pcpu, nowNs);
            if (decision.Vcpu is not { } key)
            {
                return;
            }

            var entry = _entries[key];
            if (entry.State == VcpuRunState.PausedQueued)
            {
                _policy.SliceFinished(key, 0, SliceEnd.Descheduled, nowNs);
                entry.State = VcpuRunState.PausedBlocked;
                continue;
            }

            if (entry.State != VcpuRunState.Queued)
            {
                throw new InvalidOperationException($"the {_policy.Name} policy picked {key} for physical CPU {pcpu} while it is {entry.State}");
            }

            var slot = _slots[pcpu];
            slot.Vcpu = key;
            slot.RemainingNs = Math.Max(1, decision.SliceNs);
            slot.RanNs = 0;
            Dispatch(pcpu, key, entry, Math.Min(slot.RemainingNs, segmentNs), nowNs);
            return;
        }
    }

    private void Dispatch(int pcpu, VcpuKey vcpu, Entry entry, long ns, long nowNs)
    {
        entry.State = VcpuRunState.Running;
        entry.Pcpu = pcpu;
        entry.Report = null;
        _outstanding++;
        long budget = Math.Max(1, (long)(ns / _nanosecondsPerInstruction));
        _actions.RunSegment(vcpu, pcpu, nowNs, budget);
    }

    private long? EarliestDeadline()
    {
        long? next = null;
        foreach (var entry in _entries.Values)
        {
            if (entry.State == VcpuRunState.Blocked && entry.DeadlineNs is { } due)
            {
                next = next is { } n ? Math.Min(n, due) : due;
            }
        }

        return next;
    }

    private void SleepUntilNextEvent(long nowNs)
    {
        _sleeping = true;
        long? next = _policy.NextEventNs(nowNs);
        if (EarliestDeadline() is { } due)
        {
            next = next is { } n ? Math.Min(n, due) : due;
        }

        if (next is { } wake)
        {
            _actions.TickAfter(Math.Max(0, wake - nowNs));
        }
    }

    private void FinishRound()
    {
        long longest = 0;

        // In physical-CPU order, whatever order the segments were reported in, so that the policy sees the same sequence.
        var reports = _reported.Where(_entries.ContainsKey).Select(key => (Key: key, Entry: _entries[key])).OrderBy(r => r.Entry.Pcpu).ToList();
        _reported.Clear();
        foreach (var (key, entry) in reports)
        {
            var report = entry.Report!;
            entry.Report = null;
            var slot = _slots[entry.Pcpu];
            long ranNs = (long)(report.Retired * _nanosecondsPerInstruction);
            longest = Math.Max(longest, ranNs);
            slot.RanNs += ranNs;
            slot.RemainingNs -= ranNs;
            var end = report.End switch
            {
                SegmentEnd.BudgetSpent => SliceEnd.Preempted,
                SegmentEnd.Yielded => SliceEnd.Yielded,
                SegmentEnd.Blocked => SliceEnd.Blocked,
                _ => SliceEnd.Descheduled,
            };
            bool pausing = entry.State == VcpuRunState.RunningPausing;
            if (end == SliceEnd.Preempted && slot.RemainingNs >= _nanosecondsPerInstruction && !slot.Tickled && !pausing)
            {
                entry.State = VcpuRunState.Holding; // the slice goes on in the next round
                continue;
            }

            bool woken = entry.State == VcpuRunState.RunningWoken;
            EndSlice(slot, key, end, _roundStartNs + ranNs);
            if (end is SliceEnd.Blocked or SliceEnd.Descheduled)
            {
                entry.State = pausing ? VcpuRunState.PausedBlocked : VcpuRunState.Blocked;
                entry.DeadlineNs = end == SliceEnd.Blocked ? report.NextDeadlineNs : null;

                // A vCPU that went offline is woken again by VCPUOP_up, which may come while its last segment is in flight.
                if (woken && (end == SliceEnd.Blocked || report.End == SegmentEnd.Offline))
                {
                    WakeBlocked(key, entry, _roundStartNs + ranNs);
                }
            }
            else
            {
                entry.State = pausing ? VcpuRunState.PausedQueued : VcpuRunState.Queued;
            }
        }

        _inRound = false;
        _actions.TickAfter(longest);
    }

    private void EndSlice(Slot slot, VcpuKey vcpu, SliceEnd end, long nowNs)
    {
        _policy.SliceFinished(vcpu, slot.RanNs, end, nowNs);
        slot.Clear();
        _entries[vcpu].Pcpu = -1;
    }

    private sealed record SegmentReport(long Retired, SegmentEnd End, long? NextDeadlineNs);

    private sealed class Entry
    {
        public VcpuRunState State { get; set; } = VcpuRunState.PausedBlocked;

        /// <summary>The physical CPU whose slice it holds, or -1.</summary>
        public int Pcpu { get; set; } = -1;

        /// <summary>When its timer fires while it is blocked, or null.</summary>
        public long? DeadlineNs { get; set; }

        /// <summary>The report of its segment of this round, once it has come.</summary>
        public SegmentReport? Report { get; set; }
    }

    /// <summary>What one physical CPU is doing: the vCPU whose slice it holds, how much of the slice is left and how much has run.</summary>
    private sealed class Slot
    {
        public VcpuKey? Vcpu { get; set; }

        public long RemainingNs { get; set; }

        public long RanNs { get; set; }

        /// <summary>A wake-up asked to preempt this CPU: its slice ends at the end of the current segment.</summary>
        public bool Tickled { get; set; }

        public void Clear()
        {
            Vcpu = null;
            RemainingNs = 0;
            RanNs = 0;
            Tickled = false;
        }
    }
}
