namespace ActorVisor.Actors;

/// <summary>
/// The children table. It is the one part of a cell other threads read (ActorSelection, and
/// ActorOf on a guardian from outside), so it is guarded by a lock. A child's name stays taken
/// until the parent has processed the child's termination.
/// </summary>
internal sealed partial class ActorCell
{
    private const string NameAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+~";

    private readonly object _childrenGate = new();
    private readonly Dictionary<string, ChildRestartStats> _children = new(StringComparer.Ordinal);

    // Allocated on first use: most actors never stop a child.
    private HashSet<IActorRef>? _stoppingChildren;
    private long _nextChildName;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_childrenGate)
            {
                return _children.Values.Select(c => (IActorRef)c.Child).ToArray();
            }
        }
    }

    public IActorRef Child(string name)
    {
        lock (_childrenGate)
        {
            return _children.TryGetValue(name, out var stats) ? stats.Child : ActorRefs.Nobody;
        }
    }

    public LocalActorRef? ChildCell(string name)
    {
        lock (_childrenGate)
        {
            return _children.TryGetValue(name, out var stats) ? stats.Child : null;
        }
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        ActorCell child;
        lock (_childrenGate)
        {
            if (_state is CellState.Terminating or CellState.Terminated)
            {
                throw new InvalidOperationException($"{Path.ToStringWithoutAddress()} is stopping and cannot create children.");
            }
            name ??= GenerateName();
            ValidateName(name);
            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"Actor name [{name}] is not unique under {Path.ToStringWithoutAddress()}.");
            }
            child = new ActorCell(System, Path.Child(name), props, this);
            _children.Add(name, new ChildRestartStats(child.Self));
        }
        child.Start();
        return child.Self;
    }

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is not IInternalActorRef target)
        {
            return;
        }
        if (IsChild(actor))
        {
            StoppingChildren.Add(actor);
        }
        target.SendSystemMessage(new Terminate());
    }

    /// <summary>Enqueues Create; the instance is built when the mailbox first runs.</summary>
    public void Start()
    {
        Mailbox.Dispatcher.Attach(Mailbox);
        Mailbox.PostSystem(Create.Instance);
    }

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains(' ', StringComparison.Ordinal))
        {
            throw new InvalidActorNameException($"Actor name [{name}] must be non-empty and contain neither '/' nor spaces.");
        }
    }

    private string GenerateName()
    {
        var n = _nextChildName++;
        var chars = new List<char>();
        do
        {
            chars.Add(NameAlphabet[(int)(n & 63)]);
            n >>= 6;
        }
        while (n != 0);
        return "$" + new string([.. chars]);
    }

    private bool IsChild(IActorRef actor)
    {
        lock (_childrenGate)
        {
            return _children.TryGetValue(actor.Path.Name, out var stats) && ReferenceEquals(stats.Child, actor);
        }
    }

    private ChildRestartStats? ChildStats(IActorRef actor)
    {
        lock (_childrenGate)
        {
            return _children.TryGetValue(actor.Path.Name, out var stats) && ReferenceEquals(stats.Child, actor) ? stats : null;
        }
    }

    private List<ChildRestartStats> ChildrenStats()
    {
        lock (_childrenGate)
        {
            return [.. _children.Values];
        }
    }

    private bool RemoveChild(IActorRef actor)
    {
        lock (_childrenGate)
        {
            if (_children.TryGetValue(actor.Path.Name, out var stats) && ReferenceEquals(stats.Child, actor))
            {
                _children.Remove(actor.Path.Name);
                _stoppingChildren?.Remove(actor);
                return true;
            }
            return false;
        }
    }

    private HashSet<IActorRef> StoppingChildren => _stoppingChildren ??= new(ReferenceEqualityComparer.Instance);

    private int StoppingChildCount => _stoppingChildren?.Count ?? 0;

    private bool IsStopping(IActorRef child) => _stoppingChildren?.Contains(child) == true;

    private int ChildCount
    {
        get
        {
            lock (_childrenGate)
            {
                return _children.Count;
            }
        }
    }
}
