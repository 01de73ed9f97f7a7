using ActorVisor.Actors;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Domains;

/// <summary>
/// Hands out slices of the physical CPUs with a pure <see cref="ISchedulerPolicy"/>. Time moves
/// in rounds: at the start of a round each physical CPU picks a vCPU and that vCPU's actor gets
/// a <see cref="RunSlice"/>; when every slice of the round has completed, the policy is told how
/// long each one ran and the next round starts after the longest of them (physical CPUs run
/// side by side). A vCPU that blocks gives its CPU back and is woken when its timer deadline
/// passes; when nothing is runnable the scheduler sleeps until the earliest deadline. Under the
/// deterministic dispatcher the waits are timers of the virtual clock, so retired instructions
/// are what moves time (one instruction is <see cref="SchedulerOptions.NanosecondsPerInstruction"/>).
/// </summary>
public sealed class SchedulerActor : ReceiveActor, IWithTimers
{
    private const string TickKey = "tick";
    private readonly ISchedulerPolicy _policy;
    private readonly SchedulerOptions _options;
    private readonly SortedDictionary<VcpuKey, Entry> _entries = [];
    private readonly List<SliceCompleted> _completed = [];
    private int _outstanding;
    private bool _inRound;
    private long _roundStartNs;

    public SchedulerActor(ISchedulerPolicy policy, SchedulerOptions options)
    {
        _policy = policy;
        _options = options;
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
        Receive<RemoveVcpu>(remove => Remove(remove.Vcpu));
        Receive<SliceCompleted>(Completed);
        Receive<Tick>(_ => StartRound());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private long NowNs => Context.System.Scheduler.Now.Ticks * 100;

    private void Wake(VcpuKey key, Entry entry)
    {
        if (entry.Blocked)
        {
            entry.Blocked = false;
            entry.DeadlineNs = null;
            _policy.Wake(key, NowNs);
        }
    }

    private void Remove(VcpuKey key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return;
        }

        _entries.Remove(key);
        if (entry.InFlight)
        {
            _policy.SliceFinished(key, 0, SliceEnd.Descheduled, NowNs);
            _outstanding--;
            if (_inRound && _outstanding == 0)
            {
                FinishRound();
            }
        }

        _policy.Remove(key);
    }

    /// <summary>Starts a round now unless one is under way.</summary>
    private void Kick()
    {
        if (!_inRound)
        {
            Timers.Cancel(TickKey);
            StartRound();
        }
    }

    private void StartRound()
    {
        long now = NowNs;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Blocked && !entry.Suspended && entry.DeadlineNs is { } due && due <= now)
            {
                Wake(key, entry);
            }
        }

        for (int pcpu = 0; pcpu < _options.PhysicalCpus; pcpu++)
        {
            for (int tries = 0; tries <= _entries.Count; tries++)
            {
                var decision = _policy.PickNext(pcpu, now);
                if (decision.Vcpu is not { } key)
                {
                    break;
                }

                var entry = _entries[key];
                if (entry.Suspended)
                {
                    _policy.SliceFinished(key, 0, SliceEnd.Descheduled, now);
                    entry.Blocked = true;
                    continue;
                }

                entry.InFlight = true;
                _outstanding++;
                long budget = Math.Max(1, (long)(decision.SliceNs / _options.NanosecondsPerInstruction));
                entry.Actor.Tell(new RunSlice(pcpu, now, budget), Self);
                break;
            }
        }

        if (_outstanding > 0)
        {
            _inRound = true;
            _roundStartNs = now;
            return;
        }

        SleepUntilNextDeadline(now);
    }

    private void SleepUntilNextDeadline(long now)
    {
        long? next = _policy.NextEventNs(now);
        foreach (var entry in _entries.Values)
        {
            if (entry.Blocked && !entry.Suspended && entry.DeadlineNs is { } due)
            {
                next = next is { } n ? Math.Min(n, due) : due;
            }
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
        foreach (var done in _completed)
        {
            if (!_entries.TryGetValue(done.Vcpu, out var entry))
            {
                continue;
            }

            long ranNs = (long)(done.Retired * _options.NanosecondsPerInstruction);
            longest = Math.Max(longest, ranNs);
            var end = done.Outcome switch
            {
                SliceOutcome.BudgetSpent => SliceEnd.Preempted,
                SliceOutcome.Yielded => SliceEnd.Yielded,
                SliceOutcome.Blocked => SliceEnd.Blocked,
                _ => SliceEnd.Descheduled,
            };
            _policy.SliceFinished(done.Vcpu, ranNs, end, _roundStartNs + ranNs);
            if (end is SliceEnd.Blocked or SliceEnd.Descheduled)
            {
                entry.Blocked = true;
                entry.DeadlineNs = end == SliceEnd.Blocked ? done.NextDeadlineNs : null;
            }
        }

        _completed.Clear();
        _inRound = false;
        Timers.StartSingleTimer(TickKey, Tick.Instance, ToDelay(longest));
    }

    /// <summary>A delay of the virtual clock, which counts in 100 ns ticks: rounded up, and at least one tick so that time always moves.</summary>
    private static TimeSpan ToDelay(long ns) => TimeSpan.FromTicks(Math.Max(1, (ns + 99) / 100));

    private sealed class Entry(IActorRef actor)
    {
        public IActorRef Actor { get; } = actor;

        public bool Suspended { get; set; } = true;

        public bool Blocked { get; set; } = true;

        public bool InFlight { get; set; }

        public long? DeadlineNs { get; set; }
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
