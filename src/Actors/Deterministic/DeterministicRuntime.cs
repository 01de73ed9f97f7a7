namespace ActorVisor.Actors.Deterministic;

using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Dispatch;

/// <summary>
/// The caller-driven loop of a deterministic Akka.NET system. Every mailbox run of every actor on
/// <see cref="DeterministicDispatcherConfigurator"/> and every timer of
/// <see cref="VirtualTimeScheduler"/> is queued here and runs on the thread that calls
/// <see cref="RunUntilIdle"/>, <see cref="Advance"/>, <see cref="AdvanceTo"/> or <see cref="RunUntil"/>.
/// Order of queued runs: by virtual time, then by the step in which they were queued (a mailbox
/// that just ran queues behind every run already waiting, so none starves), then by a draw seeded
/// from the system's seed, the actor's path and how often that path was queued before (so runs queued in one step come out in
/// a seed-dependent order that does not depend on the order Akka queued them in, which for
/// children follows a string-keyed dictionary whose order differs between processes), then by the
/// path itself, then by queueing order. Invariants: virtual time never goes backwards; timers fire
/// in (due time, scheduling order); every run due at the current time runs before the clock
/// moves; the same seed and the same program give the same delivery trace in every process. The
/// loop is not re-entrant: an actor must not drive it from a message handler. Other threads (an
/// actor on a pinned dispatcher in parallel mode) may send to actors of the loop; their runs are
/// queued at the current virtual time and wake <see cref="WaitForExternalWork"/>.
/// </summary>
public sealed partial class DeterministicRuntime
{
    private readonly object _gate = new();
    private readonly long _seed;
    private readonly PriorityQueue<IRunnable, RunKey> _runnable = new();
    private readonly PriorityQueue<VirtualTimer, (long Due, long Sequence)> _timers = new();
    private readonly SemaphoreSlim _external = new(0);
    private readonly Dictionary<string, long> _queuedPerPath = new(StringComparer.Ordinal);
    private long _nowTicks;
    private long _sequence;
    private long _step;
    private int _driver;

    /// <summary>Creates a loop whose tie-breaks are drawn from <paramref name="seed"/>.</summary>
    public DeterministicRuntime(long seed) => _seed = seed;

    /// <summary>Called on every user message handed to a mailbox of the loop, with the recipient and the message, for traces (trace <c>recipient.Path</c>, never the reference's text, which carries a per-process random id).</summary>
    public event Action<IActorRef, object>? Delivered;

    /// <summary>
    /// Raised on the other thread when it queues a run on the loop (a message or a system message
    /// from an actor on a pinned dispatcher), so that a driver waiting on that thread's work can
    /// wake and run the loop.
    /// </summary>
    public event Action? ExternalWork;

    /// <summary>Gets the seed of the tie-breaks.</summary>
    public long Seed => _seed;

    /// <summary>Gets the current virtual time since the system started.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(Volatile.Read(ref _nowTicks));

    /// <summary>Gets how many user messages have been handed to mailboxes of the loop so far.</summary>
    public long DeliveryCount => Interlocked.Read(ref _deliveries);

    private long _deliveries;

    /// <summary>Gets the due time of the earliest pending timer, if any.</summary>
    public TimeSpan? NextTimerDue
    {
        get
        {
            lock (_gate)
            {
                while (_timers.TryPeek(out var timer, out var key))
                {
                    if (!timer.IsCancelled)
                    {
                        return TimeSpan.FromTicks(key.Due);
                    }

                    _timers.Dequeue();
                }

                return null;
            }
        }
    }

    /// <summary>Gets whether any run is queued at the current time.</summary>
    public bool HasRunnable
    {
        get
        {
            lock (_gate)
            {
                return _runnable.Count > 0;
            }
        }
    }

    /// <summary>
    /// The text of a message for a trace: its <c>ToString()</c> with the per-process random id
    /// Akka prints after an actor reference's path (<c>[akka://sys/user/a#1234]</c>) removed, so
    /// that a message carrying a reference reads the same in every process.
    /// </summary>
    public static string TraceText(object? message) => message is null ? "null" : ActorUid().Replace(message.ToString() ?? "", "]");

    /// <summary>Finds the loop of a system configured with <see cref="DeterministicConfig"/>; null for any other system.</summary>
    public static DeterministicRuntime? Of(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return (system.Scheduler as VirtualTimeScheduler)?.Runtime;
    }

    /// <summary>Runs every queued run and every timer due now, until nothing is left at the current time.</summary>
    public void RunUntilIdle()
    {
        Enter();
        try
        {
            RunIdleCore();
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Moves virtual time forward by <paramref name="duration"/>, firing timers in order and running actors at each step.</summary>
    public void Advance(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        AdvanceTo(Now + duration);
    }

    /// <summary>Moves virtual time to <paramref name="target"/> (no-op if it is in the past), firing timers in order and running actors at each step.</summary>
    public void AdvanceTo(TimeSpan target)
    {
        Enter();
        try
        {
            RunIdleCore();
            while (TryPopDueTimer(target.Ticks, out var timer))
            {
                timer.Fire();
                RunIdleCore();
            }

            lock (_gate)
            {
                if (target.Ticks > _nowTicks)
                {
                    Volatile.Write(ref _nowTicks, target.Ticks);
                }
            }

            RunIdleCore();
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>
    /// Runs until <paramref name="condition"/> holds, advancing virtual time timer by timer, but not
    /// beyond <paramref name="limit"/> from now. Returns whether the condition held.
    /// </summary>
    public bool RunUntil(Func<bool> condition, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Now + limit;
        while (true)
        {
            RunUntilIdle();
            if (condition())
            {
                return true;
            }

            var next = NextTimerDue;
            if (next is null || next.Value > deadline)
            {
                AdvanceTo(deadline);
                return condition();
            }

            AdvanceTo(next.Value);
        }
    }

    /// <summary>
    /// Waits until another thread queues a run on the loop, at most <paramref name="timeout"/> of
    /// host time; true when one was queued. For drivers whose actors wait on work of real threads
    /// (parallel mode); a deterministic run never needs it.
    /// </summary>
    public bool WaitForExternalWork(TimeSpan timeout) => _external.Wait(timeout);

    /// <summary>
    /// Terminates <paramref name="system"/> by driving the loop until Akka reports it terminated,
    /// waiting at most <paramref name="hostTimeout"/> of host time for work of other threads.
    /// Use it instead of <c>Dispose</c>, which blocks on a termination that only this loop can run.
    /// </summary>
    public bool Terminate(ActorSystem system, TimeSpan hostTimeout)
    {
        ArgumentNullException.ThrowIfNull(system);
        var terminated = system.Terminate();
        var waited = TimeSpan.Zero;
        var slice = TimeSpan.FromMilliseconds(1);
        while (!terminated.IsCompleted)
        {
            RunUntilIdle();
            if (terminated.IsCompleted || waited > hostTimeout)
            {
                break;
            }

            if (!HasRunnable && !terminated.Wait(slice))
            {
                waited += slice;
            }
        }

        return terminated.IsCompleted;
    }

    internal void Enqueue(IRunnable run, string path)
    {
        bool external = Volatile.Read(ref _driver) != Environment.CurrentManagedThreadId;
        lock (_gate)
        {
            ref long queued = ref CollectionsMarshal.GetValueRefOrAddDefault(_queuedPerPath, path, out _);
            _runnable.Enqueue(run, new RunKey(_nowTicks, _step, Draw(path, queued++), path, _sequence++));
        }

        if (external)
        {
            if (_external.CurrentCount == 0)
            {
                _external.Release();
            }

            ExternalWork?.Invoke();
        }
    }

    internal void OnDelivered(IActorRef recipient, object message)
    {
        Interlocked.Increment(ref _deliveries);
        Delivered?.Invoke(recipient, message);
    }

    internal VirtualTimer AddTimer(TimeSpan delay, TimeSpan? interval, Action action, ICancelable? cancelable)
    {
        var timer = new VirtualTimer(this, action, interval, cancelable);
        lock (_gate)
        {
            var due = _nowTicks + Math.Max(0, delay.Ticks);
            _timers.Enqueue(timer, (due, _sequence++));
        }

        return timer;
    }

    internal void Reschedule(VirtualTimer timer, TimeSpan interval)
    {
        lock (_gate)
        {
            _timers.Enqueue(timer, (_nowTicks + Math.Max(1, interval.Ticks), _sequence++));
        }
    }

    /// <summary>
    /// A draw from (seed, path, how often that path was queued before) through a fixed mix: the
    /// same in every process, unlike string.GetHashCode, and independent of how many runs other
    /// actors (Akka's own included) made before.
    /// </summary>
    private long Draw(string path, long count)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in path)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        ulong x = hash ^ (ulong)_seed ^ ((ulong)count * 0x9E3779B97F4A7C15UL);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (long)(x ^ (x >> 31));
    }

    private void Enter()
    {
        int me = Environment.CurrentManagedThreadId;
        if (Interlocked.CompareExchange(ref _driver, me, 0) != 0)
        {
            throw new InvalidOperationException("The deterministic loop is already being driven; actors must not drive it from a message handler, and only one thread may drive it at a time.");
        }
    }

    private void Leave() => Volatile.Write(ref _driver, 0);

    private void RunIdleCore()
    {
        while (true)
        {
            while (TryTakeRunnable(out var run))
            {
                run.Run();
            }

            if (!TryPopDueTimer(Volatile.Read(ref _nowTicks), out var timer))
            {
                return;
            }

            timer.Fire();
        }
    }

    private bool TryTakeRunnable(out IRunnable run)
    {
        lock (_gate)
        {
            _step++;
            return _runnable.TryDequeue(out run!, out _);
        }
    }

    private bool TryPopDueTimer(long limitTicks, out VirtualTimer timer)
    {
        lock (_gate)
        {
            while (_timers.TryPeek(out timer!, out var key))
            {
                if (timer.IsCancelled)
                {
                    _timers.Dequeue();
                    continue;
                }

                if (key.Due > limitTicks)
                {
                    return false;
                }

                _timers.Dequeue();
                if (key.Due > _nowTicks)
                {
                    Volatile.Write(ref _nowTicks, key.Due);
                }

                return true;
            }

            return false;
        }
    }

    [GeneratedRegex(@"#-?[0-9]+\]")]
    private static partial Regex ActorUid();

    private readonly record struct RunKey(long Time, long Step, long Draw, string Path, long Sequence) : IComparable<RunKey>
    {
        public int CompareTo(RunKey other)
        {
            int c = Time.CompareTo(other.Time);
            if (c == 0)
            {
                c = Step.CompareTo(other.Step);
            }

            if (c == 0)
            {
                c = Draw.CompareTo(other.Draw);
            }

            if (c == 0)
            {
                c = string.CompareOrdinal(Path, other.Path);
            }

            return c != 0 ? c : Sequence.CompareTo(other.Sequence);
        }
    }
}
