using ActorVisor.Hypervisor.Pv;
using ActorVisor.Scheduler;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>
/// Hands out slices of the physical CPUs with a pure <see cref="ISchedulerPolicy"/>. Time moves
/// in rounds: at the start of a round each physical CPU runs one segment of the slice the policy
/// gave it (or picks a new vCPU), that vCPU's actor gets a <see cref="RunSlice"/>, and when every
/// segment of the round has completed the next round starts after the longest of them (physical
/// CPUs run side by side). A segment lasts at most <see cref="SchedulerOptions.PreemptionCheckNs"/>
/// and never past the next timer deadline of a blocked vCPU, so the end of a segment is the safe
/// point at which a physical CPU notices a preemption: when an event or a timer wakes a vCPU and
/// the policy's <see cref="ISchedulerPolicy.Wake"/> names a physical CPU (Xen's tickle), the slice
/// running there ends at the end of its segment instead of at the end of the slice (in parallel
/// mode, where the slice runs on another thread, its CPU is also told to stop at its next budget
/// check, <see cref="PreemptSlice"/>, so the segment ends early). A vCPU that
/// blocks gives its CPU back and is woken by its timer deadline or by a <see cref="WakeVcpu"/>
/// (an event); when nothing is runnable the scheduler sleeps until the earliest deadline. Virtual
/// time is the actor system's clock; under the deterministic dispatcher retired instructions are
/// what moves it (one instruction is <see cref="SchedulerOptions.NanosecondsPerInstruction"/>).
/// </summary>
public sealed class SchedulerActor : ReceiveActor, IWithTimers
{
    private const string TickKey = "tick";
    private const long ShortestSegmentNs = 1_000;
    private readonly ISchedulerPolicy _policy;
    private readonly SchedulerOptions _options;
    private readonly SortedDictionary<VcpuKey, Entry> _entries = [];
    private readonly Slot[] _slots;
    private readonly List<SliceCompleted> _completed = [];
    private int _outstanding;
    private bool _inRound;
    private bool _sleeping = true;
    private long _roundStartNs;

    public SchedulerActor(ISchedulerPolicy policy, SchedulerOptions options)
    {
        _policy = policy;
        _options = options;
        _slots = Enumerable.Range(0, options.PhysicalCpus).Select(_ => new Slot()).ToArray();
        Receive<AddVcpu>(add =>
        {
            _policy.Add(add.Vcpu, add.Parameters);
            _entries[add.Vcpu] = new Entry(add.Actor);
        });
        Receive<ResumeVcpu>(resume =>
        {
            if (_entries.TryGetValue(resume.Vcpu, out var entry) && entry.Suspended)
            {
                entry.Suspended = false;
                Wake(resume.Vcpu, entry);
                Kick();
            }
        });
        Receive<SuspendVcpu>(suspend =>
        {
            if (_entries.TryGetValue(suspend.Vcpu, out var entry))
            {
                entry.Suspended = true;
            }
        });
        Receive<WakeVcpu>(OnWake);
        Receive<RemoveVcpu>(remove => Remove(remove.Vcpu));
        Receive<SliceCompleted>(Completed);
        Receive<Tick>(_ => StartRound());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private long NowNs => Context.System.Scheduler.MonotonicClock.Ticks * 100;

    private void OnWake(WakeVcpu wake)
    {
        if (!_entries.TryGetValue(wake.Vcpu, out var entry) || entry.Suspended)
        {
            return;
        }

        if (entry.InFlight || entry.Pcpu >= 0)
        {
            // It runs, or its segment has not been accounted yet and may end blocked: the wake-up is applied when it is.
            entry.WakePending = true;
            return;
        }

        if (entry.Blocked)
        {
            Wake(wake.Vcpu, entry);
            Kick();
        }
    }

    /// <summary>Makes a blocked vCPU runnable and marks the physical CPU the policy wants preempted for it.</summary>
    private void Wake(VcpuKey key, Entry entry)
    {
        if (!entry.Blocked)
        {
            return;
        }

        entry.Blocked = false;
        entry.DeadlineNs = null;
        if (_policy.Wake(key, NowNs) is { } pcpu && pcpu >= 0 && pcpu < _slots.Length)
        {
            var slot = _slots[pcpu];
            slot.Tickled = true;
            if (slot.Vcpu is { } running && _entries.TryGetValue(running, out var victim) && victim.InFlight)
            {
                victim.Actor.Tell(PreemptSlice.Instance, Self);
            }
        }
    }

    private void Remove(VcpuKey key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return;
        }

        _entries.Remove(key);
        if (entry.Pcpu >= 0 && _slots[entry.Pcpu].Vcpu == key)
        {
            _policy.SliceFinished(key, _slots[entry.Pcpu].RanNs, SliceEnd.Descheduled, NowNs);
            _slots[entry.Pcpu].Clear();
        }

        if (entry.InFlight)
        {
            _outstanding--;
            if (_inRound && _outstanding == 0)
            {
                FinishRound();
            }
        }

        _policy.Remove(key);
    }

    /// <summary>Starts a round now when the scheduler sleeps; a round under way or about to start picks the change up by itself.</summary>
    private void Kick()
    {
        if (_sleeping)
        {
            Timers.Cancel(TickKey);
            StartRound();
        }
    }

    private void StartRound()
    {
        _sleeping = false;
        long now = NowNs;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Blocked && !entry.Suspended && entry.DeadlineNs is { } due && due <= now)
            {
                Wake(key, entry);
            }
        }

        long segmentNs = Math.Max(1, _options.PreemptionCheckNs);
        if (EarliestDeadline() is { } deadline)
        {
            segmentNs = Math.Min(segmentNs, Math.Max(ShortestSegmentNs, deadline - now));
        }

        for (int pcpu = 0; pcpu < _slots.Length; pcpu++)
        {
            var slot = _slots[pcpu];
            if (slot.Vcpu is { } running)
            {
                var entry = _entries[running];
                if (slot.Tickled || entry.Suspended)
                {
                    EndSlice(slot, running, SliceEnd.Preempted, now);
                }
                else
                {
                    Dispatch(pcpu, entry, Math.Min(slot.RemainingNs, segmentNs), now);
                    continue;
                }
            }

            slot.Tickled = false;
            Pick(pcpu, segmentNs, now);
        }

        if (_outstanding > 0)
        {
            _inRound = true;
            _roundStartNs = now;
            return;
        }

        SleepUntilNextDeadline(now);
    }

    private void Pick(int pcpu, long segmentNs, long now)
    {
        for (int tries = 0; tries <= _entries.Count; tries++)
        {
            var decision = _policy.PickNext(pcpu, now);
            if (decision.Vcpu is not { } key)
            {
                return;
            }

            var entry = _entries[key];
            if (entry.Suspended)
            {
                _policy.SliceFinished(key, 0, SliceEnd.Descheduled, now);
                entry.Blocked = true;
                continue;
            }

            var slot = _slots[pcpu];
            slot.Vcpu = key;
            slot.RemainingNs = Math.Max(1, decision.SliceNs);
            slot.RanNs = 0;
            Dispatch(pcpu, entry, Math.Min(slot.RemainingNs, segmentNs), now);
            return;
        }
    }

    private void Dispatch(int pcpu, Entry entry, long ns, long now)
    {
        entry.InFlight = true;
        entry.WakePending = false;
        entry.Pcpu = pcpu;
        _outstanding++;
        long budget = Math.Max(1, (long)(ns / _options.NanosecondsPerInstruction));
        entry.Actor.Tell(new RunSlice(pcpu, now, budget), Self);
    }

    private long? EarliestDeadline()
    {
        long? next = null;
        foreach (var entry in _entries.Values)
        {
            if (entry.Blocked && !entry.Suspended && entry.DeadlineNs is { } due)
            {
                next = next is { } n ? Math.Min(n, due) : due;
            }
        }

        return next;
    }

    private void SleepUntilNextDeadline(long now)
    {
        _sleeping = true;
        long? next = _policy.NextEventNs(now);
        if (EarliestDeadline() is { } due)
        {
            next = next is { } n ? Math.Min(n, due) : due;
        }

        if (next is { } wake)
        {
            Timers.StartSingleTimer(TickKey, Tick.Instance, ToDelay(wake - now));
        }
    }

    private void Completed(SliceCompleted done)
    {
        if (!_entries.TryGetValue(done.Vcpu, out var entry) || !entry.InFlight)
        {
            return;
        }

        entry.InFlight = false;
        _completed.Add(done);
        _outstanding--;
        if (_outstanding == 0)
        {
            FinishRound();
        }
    }

    private void FinishRound()
    {
        long longest = 0;

        // In physical-CPU order, whatever order the segments completed in, so that the policy sees the same sequence.
        foreach (var done in _completed.OrderBy(d => _entries.TryGetValue(d.Vcpu, out var e) ? e.Pcpu : int.MaxValue))
        {
            if (!_entries.TryGetValue(done.Vcpu, out var entry) || entry.Pcpu < 0)
            {
                continue;
            }

            var slot = _slots[entry.Pcpu];
            long ranNs = (long)(done.Retired * _options.NanosecondsPerInstruction);
            longest = Math.Max(longest, ranNs);
            slot.RanNs += ranNs;
            slot.RemainingNs -= ranNs;
            var end = done.Outcome switch
            {
                SliceOutcome.BudgetSpent => SliceEnd.Preempted,
                SliceOutcome.Yielded => SliceEnd.Yielded,
                SliceOutcome.Blocked => SliceEnd.Blocked,
                _ => SliceEnd.Descheduled,
            };
            if (end == SliceEnd.Preempted && slot.RemainingNs >= _options.NanosecondsPerInstruction && !slot.Tickled && !entry.Suspended)
            {
                continue; // the slice goes on in the next round
            }

            EndSlice(slot, done.Vcpu, end, _roundStartNs + ranNs);
            if (end is SliceEnd.Blocked or SliceEnd.Descheduled)
            {
                entry.Blocked = true;
                entry.DeadlineNs = end == SliceEnd.Blocked ? done.NextDeadlineNs : null;
                // A vCPU that went offline is woken again by VCPUOP_up, which may come while its last slice is in flight.
                if ((end == SliceEnd.Blocked || done.Outcome == SliceOutcome.Offline) && entry.WakePending && !entry.Suspended)
                {
                    Wake(done.Vcpu, entry);
                }
            }

            entry.WakePending = false;
        }

        _completed.Clear();
        _inRound = false;
        Timers.StartSingleTimer(TickKey, Tick.Instance, ToDelay(longest));
    }

    private void EndSlice(Slot slot, VcpuKey key, SliceEnd end, long nowNs)
    {
        _policy.SliceFinished(key, slot.RanNs, end, nowNs);
        slot.Clear();
        _entries[key].Pcpu = -1;
    }

    /// <summary>A delay of the virtual clock, which counts in 100 ns ticks: rounded up, and at least one tick so that time always moves.</summary>
    private static TimeSpan ToDelay(long ns) => TimeSpan.FromTicks(Math.Max(1, (ns + 99) / 100));

    private sealed class Entry(IActorRef actor)
    {
        public IActorRef Actor { get; } = actor;

        public bool Suspended { get; set; } = true;

        public bool Blocked { get; set; } = true;

        public bool InFlight { get; set; }

        /// <summary>An event arrived while the vCPU ran a segment: if the segment ends blocked, it is woken at once.</summary>
        public bool WakePending { get; set; }

        /// <summary>The physical CPU whose slice it holds, or -1.</summary>
        public int Pcpu { get; set; } = -1;

        public long? DeadlineNs { get; set; }
    }

    /// <summary>What one physical CPU is doing: the vCPU whose slice it runs, how much of the slice is left and how much has run.</summary>
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

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
