namespace ActorVisor.Actors;

/// <summary>
/// Drives a deterministic actor system: one thread (whoever calls <see cref="RunUntilIdle"/> or
/// <see cref="Advance"/>) runs every actor, in virtual-time order, with ties broken by a random
/// source seeded from <see cref="ActorSystemOptions.Seed"/>.
/// Order of runnable mailboxes: by virtual time, then by the step at which they became runnable
/// (a mailbox that just ran queues behind every mailbox that was already waiting, so no actor
/// can starve another), then by a seeded random draw among those that became runnable in the same
/// step (the messages one actor sends to several others arrive in a seed-dependent order).
/// Invariants: virtual time never goes backwards; timers fire in (due time, scheduling order);
/// all runnable mailboxes at the current time run before the clock moves; with the same seed and
/// the same program, every delivery happens in the same order. The runtime is not re-entrant:
/// an actor must not call it from inside a message handler.
/// </summary>
public sealed class DeterministicRuntime
{
    private readonly object _gate = new();
    private readonly Random _tieBreaks;
    private readonly PriorityQueue<Mailbox, (long Time, long Step, long TieBreak, long Sequence)> _runnable = new();
    private readonly PriorityQueue<VirtualTimer, (long Due, long Sequence)> _timers = new();
    private long _nowTicks;
    private long _sequence;
    private long _step;
    private bool _running;

    internal DeterministicRuntime(int seed)
    {
        _tieBreaks = new Random(unchecked((seed * 397) ^ 0x5bd1e995));
        Scheduler = new VirtualScheduler(this);
    }

    /// <summary>Called on every user-message delivery with the recipient and the message, for traces.</summary>
    public event Action<IActorRef, object>? Delivered;

    /// <summary>Gets the current virtual time since the system started.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(Volatile.Read(ref _nowTicks));

    /// <summary>Gets how many user messages have been delivered so far.</summary>
    public long DeliveryCount { get; private set; }

    /// <summary>Gets the due time of the earliest pending timer, if any.</summary>
    public TimeSpan? NextTimerDue
    {
        get
        {
            lock (_gate)
            {
                while (_timers.TryPeek(out var timer, out var key))
                {
                    if (!timer.IsCancellationRequested)
                    {
                        return TimeSpan.FromTicks(key.Due);
                    }
                    _timers.Dequeue();
                }
                return null;
            }
        }
    }

    internal IScheduler Scheduler { get; }

    /// <summary>Runs every runnable actor and every timer due now, until nothing is left at the current time.</summary>
    public void RunUntilIdle()
    {
        Enter();
        try
        {
            RunIdleCore();
        }
        finally
        {
            _running = false;
        }
    }

    /// <summary>Moves virtual time forward by <paramref name="duration"/>, firing timers in order and running actors at each step.</summary>
    public void Advance(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        AdvanceTo(Now + duration);
    }

    /// <summary>Moves virtual time to <paramref name="target"/> (no-op if it is in the past).</summary>
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
            _running = false;
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
            if (condition())
            {
                return true;
            }
        }
    }

    internal void Enqueue(Mailbox mailbox)
    {
        lock (_gate)
        {
            _runnable.Enqueue(mailbox, (_nowTicks, _step, _tieBreaks.NextInt64(), _sequence++));
        }
    }

    internal ICancelable AddTimer(TimeSpan delay, TimeSpan? interval, Action action)
    {
        var timer = new VirtualTimer(this, action, interval);
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

    internal void OnDelivered(IActorRef recipient, object message)
    {
        DeliveryCount++;
        Delivered?.Invoke(recipient, message);
    }

    private void Enter()
    {
        if (_running)
        {
            throw new InvalidOperationException("The deterministic runtime is already running on this thread; actors must not drive it from a message handler.");
        }
        _running = true;
    }

    private void RunIdleCore()
    {
        while (true)
        {
            while (TryTakeRunnable(out var mailbox))
            {
                mailbox.Run();
            }
            if (!TryPopDueTimer(_nowTicks, out var timer))
            {
                return;
            }
            timer.Fire();
        }
    }

    private bool TryTakeRunnable(out Mailbox mailbox)
    {
        lock (_gate)
        {
            _step++;
            return _runnable.TryDequeue(out mailbox!, out _);
        }
    }

    private bool TryPopDueTimer(long limitTicks, out VirtualTimer timer)
    {
        lock (_gate)
        {
            while (_timers.TryPeek(out timer!, out var key))
            {
                if (timer.IsCancellationRequested)
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
}
