namespace ActorVisor.Actors;

/// <summary>
/// The kernel's record of one actor: its mailbox, current instance, behaviour stack, children,
/// watchers and lifecycle state. Everything here except the children table is touched only by the
/// thread that currently runs the mailbox (at most one at a time), so it needs no locks.
/// Lifecycle: <c>Normal --failure--> (suspended, parent decides) --Recreate--> Restarting --children
/// stopped--> Normal</c>; <c>any --Terminate--> Terminating --children stopped--> Terminated</c>.
/// Terminated is final: the mailbox is closed and every later message goes to dead letters.
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic]
    private static ActorCell? _current;

    private readonly DeterministicRuntime? _runtime;
    private ActorBase? _actor;
    private Receive? _behavior;
    private List<Receive>? _behaviorStack;
    private CellState _state = CellState.Normal;
    private TimerScheduler? _timers;
    private UnboundedStash? _stash;

    public ActorCell(ActorSystem system, ActorPath path, Props props, ActorCell? parent)
    {
        System = system;
        Path = path;
        Props = props;
        ParentCell = parent;
        _runtime = system.Deterministic;
        Mailbox = new Mailbox(this, system.LookupDispatcher(props.Dispatcher), props.Mailbox);
        Self = new LocalActorRef(this);
    }

    private enum CellState
    {
        Normal,
        Restarting,
        Terminating,
        Terminated,
    }

    /// <summary>Gets or sets the cell whose mailbox runs on this thread.</summary>
    public static ActorCell? Current
    {
        get => _current;
        set => _current = value;
    }

    public ActorSystem System { get; }

    public ActorPath Path { get; }

    public Props Props { get; }

    public ActorCell? ParentCell { get; }

    public Mailbox Mailbox { get; }

    public LocalActorRef Self { get; }

    IActorRef IActorContext.Self => Self;

    public IActorRef Parent => (IActorRef?)ParentCell?.Self ?? ActorRefs.Nobody;

    public object? CurrentMessage { get; private set; }

    public IActorRef? CurrentSender { get; private set; }

    public IActorRef Sender => CurrentSender ?? System.DeadLetters;

    public bool IsTerminated => _state == CellState.Terminated;

    public TimerScheduler Timers => _timers ??= new TimerScheduler(this);

    /// <summary>Called from the ActorBase constructor: wires timers and stash into the new instance.</summary>
    public void OnActorConstructing(ActorBase actor)
    {
        if (actor is IWithTimers withTimers)
        {
            withTimers.Timers = Timers;
        }
        if (actor is IWithUnboundedStash withStash)
        {
            _stash ??= new UnboundedStash(this);
            withStash.Stash = _stash;
        }
    }

    /// <summary>Delivers one user message to the actor; a thrown exception becomes a failure reported to the parent.</summary>
    public void Invoke(object message, IActorRef? sender)
    {
        CurrentMessage = message;
        CurrentSender = sender;
        try
        {
            _runtime?.OnDelivered(Self, message);
            if (message is IAutoReceivedMessage)
            {
                AutoReceive(message);
            }
            else if (!_behavior!(message))
            {
                _actor!.CallUnhandled(message);
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e, message);
        }
        finally
        {
            CurrentMessage = null;
            CurrentSender = null;
        }
    }

    public void Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        _behaviorStack ??= [];
        if (_behaviorStack.Count > 0)
        {
            _behaviorStack[^1] = receive;
        }
        else
        {
            _behaviorStack.Add(receive);
        }
        _behavior = receive;
    }

    public void BecomeStacked(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        _behaviorStack ??= [];
        _behaviorStack.Add(receive);
        _behavior = receive;
    }

    public void UnbecomeStacked()
    {
        if (_behaviorStack is { Count: > 0 })
        {
            _behaviorStack.RemoveAt(_behaviorStack.Count - 1);
        }
        _behavior = _behaviorStack is { Count: > 0 } ? _behaviorStack[^1] : _actor!.Receive;
    }

    public void Unbecome() => UnbecomeStacked();

    public ActorSelection ActorSelection(string path) => Actors.ActorSelection.Parse(System, this, path);

    public override string ToString() => $"ActorCell[{Path.ToStringWithoutAddress()}]";

    private void AutoReceive(object message)
    {
        switch (message)
        {
            case PoisonPill:
                Stop(Self);
                break;
            case Kill:
                throw new ActorKilledException($"Kill received by {Path.ToStringWithoutAddress()}");
            case Terminated terminated:
                ReceivedTerminated(terminated);
                break;
            case Identify identify:
                Sender.Tell(new ActorIdentity(identify.MessageId, Self), Self);
                break;
            case TimerMessage timer:
                if (_timers is not null && _timers.Accept(timer))
                {
                    CurrentSender = null;
                    ReceiveUser(timer.Message);
                }
                break;
        }
    }

    private void ReceiveUser(object message)
    {
        if (message is IAutoReceivedMessage)
        {
            AutoReceive(message);
        }
        else if (!_behavior!(message))
        {
            _actor!.CallUnhandled(message);
        }
    }

    private void CreateInstance()
    {
        _actor = null;
        _behaviorStack = null;
        _behavior = null;
        var previous = _current;
        _current = this;
        try
        {
            var actor = Props.NewActor();
            _actor = actor;
            _behavior = actor.Receive;
        }
        finally
        {
            _current = previous;
        }
    }
}
