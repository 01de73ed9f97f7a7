namespace ActorVisor.Actors;

/// <summary>
/// One actor's mailbox: a lock-free MPSC queue of user messages, a small locked queue of system
/// messages, and the scheduling state.
/// Invariants: at most one thread runs <see cref="Run"/> at a time (the Scheduled bit is taken
/// by CAS before the dispatcher is asked to run it); system messages are processed before every
/// user message and between any two of them; user messages are not processed while the suspend
/// count is above zero; once Closed, every user message that arrives or remains goes to dead
/// letters, and system messages are refused.
/// </summary>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private const int ScheduledBit = 1;
    private const int ClosedBit = 2;

    private readonly MpscQueue _queue = new();
    private readonly object _systemGate = new();
    private readonly Queue<SystemMessage> _system = new();
    private readonly int _capacity;
    private LinkedList<(object Message, IActorRef? Sender)>? _prepended;
    private int _systemCount;
    private int _status;
    private int _suspendCount;
    private int _count;

    public Mailbox(ActorCell cell, MessageDispatcher dispatcher, MailboxOptions options)
    {
        Cell = cell;
        Dispatcher = dispatcher;
        _capacity = options.Capacity;
    }

    public ActorCell Cell { get; }

    public MessageDispatcher Dispatcher { get; }

    /// <summary>Gets or sets per-mailbox state a dispatcher keeps (the pinned dispatcher's thread).</summary>
    public object? DispatcherState { get; set; }

    public bool IsClosed => (Volatile.Read(ref _status) & ClosedBit) != 0;

    public bool IsSuspended => _suspendCount > 0;

    /// <summary>Enqueues a user message; false means it was refused (closed or full) and belongs in dead letters.</summary>
    public bool Post(object message, IActorRef? sender)
    {
        if ((Volatile.Read(ref _status) & ClosedBit) != 0)
        {
            return false;
        }
        if (_capacity > 0 && Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        _queue.Enqueue(new Envelope { Message = message, Sender = sender });
        TrySchedule();
        return true;
    }

    /// <summary>Enqueues a system message; false means the mailbox is closed.</summary>
    public bool PostSystem(SystemMessage message)
    {
        lock (_systemGate)
        {
            if (IsClosed)
            {
                return false;
            }
            _system.Enqueue(message);
            Volatile.Write(ref _systemCount, _system.Count);
        }
        TrySchedule();
        return true;
    }

    /// <summary>Puts messages back at the front of the queue in their order (UnstashAll); consumer only.</summary>
    public void Prepend(IReadOnlyList<(object Message, IActorRef? Sender)> messages)
    {
        _prepended ??= new LinkedList<(object, IActorRef?)>();
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            _prepended.AddFirst(messages[i]);
        }
    }

    public void Suspend() => _suspendCount++;

    public void Resume()
    {
        if (_suspendCount > 0)
        {
            _suspendCount--;
        }
    }

    public void ResumeFully() => _suspendCount = 0;

    /// <summary>Closes the mailbox and returns the system messages that were still queued; consumer only.</summary>
    public List<SystemMessage> Close()
    {
        Interlocked.Or(ref _status, ClosedBit);
        lock (_systemGate)
        {
            var left = _system.ToList();
            _system.Clear();
            Volatile.Write(ref _systemCount, 0);
            return left;
        }
    }

    public void TrySchedule()
    {
        while (true)
        {
            var status = Volatile.Read(ref _status);
            if ((status & ScheduledBit) != 0)
            {
                return;
            }
            if (Interlocked.CompareExchange(ref _status, status | ScheduledBit, status) == status)
            {
                Dispatcher.Execute(this);
                return;
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => Run();

    /// <summary>Processes system messages and up to the dispatcher's throughput of user messages.</summary>
    public void Run()
    {
        var previous = ActorCell.Current;
        ActorCell.Current = Cell;
        try
        {
            ProcessSystemMessages();
            var left = Dispatcher.Throughput;
            while (left > 0 && _suspendCount == 0 && !IsClosed && TryDequeue(out var message, out var sender))
            {
                left--;
                Cell.Invoke(message, sender);
                if (Volatile.Read(ref _systemCount) != 0)
                {
                    ProcessSystemMessages();
                }
            }
            if (IsClosed)
            {
                DrainToDeadLetters();
            }
        }
        finally
        {
            ActorCell.Current = previous;
        }
        Interlocked.And(ref _status, ~ScheduledBit);
        if (NeedsRun())
        {
            TrySchedule();
        }
    }

    private bool NeedsRun()
        => Volatile.Read(ref _systemCount) != 0
           || ((_suspendCount == 0 || IsClosed) && (_queue.HasItems || _prepended is { Count: > 0 }));

    private bool TryDequeue(out object message, out IActorRef? sender)
    {
        if (_prepended is { Count: > 0 })
        {
            (message, sender) = _prepended.First!.Value;
            _prepended.RemoveFirst();
            return true;
        }
        if (_queue.TryDequeue(out message, out sender))
        {
            if (_capacity > 0)
            {
                Interlocked.Decrement(ref _count);
            }
            return true;
        }
        return false;
    }

    private void ProcessSystemMessages()
    {
        while (Volatile.Read(ref _systemCount) != 0)
        {
            SystemMessage message;
            lock (_systemGate)
            {
                if (!_system.TryDequeue(out message!))
                {
                    return;
                }
                Volatile.Write(ref _systemCount, _system.Count);
            }
            Cell.SystemInvoke(message);
        }
    }

    private void DrainToDeadLetters()
    {
        while (TryDequeue(out var message, out var sender))
        {
            Cell.System.DeadLetterFrom(message, sender, Cell.Self);
        }
    }
}
