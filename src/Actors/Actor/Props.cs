namespace ActorVisor.Actors;

/// <summary>
/// An immutable recipe for creating an actor: how to construct it, which dispatcher runs it, which
/// mailbox it has. The factory runs again on every restart, so it must build a fresh instance.
/// </summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory, string dispatcher, MailboxOptions mailbox, SupervisorStrategy? supervisorStrategy)
    {
        ActorType = actorType;
        _factory = factory;
        Dispatcher = dispatcher;
        Mailbox = mailbox;
        SupervisorStrategy = supervisorStrategy;
    }

    /// <summary>Gets the type of actor these props create.</summary>
    public Type ActorType { get; }

    /// <summary>Gets the dispatcher id (see <see cref="Dispatchers"/>).</summary>
    public string Dispatcher { get; }

    /// <summary>Gets the mailbox shape.</summary>
    public MailboxOptions Mailbox { get; }

    /// <summary>Gets a strategy that overrides the actor's own <c>SupervisorStrategy()</c>, if set.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    public static Props Create<TActor>()
        where TActor : ActorBase, new()
        => new(typeof(TActor), static () => new TActor(), Dispatchers.DefaultId, MailboxOptions.Unbounded, null);

    /// <summary>Props for an actor built by <paramref name="factory"/> (called again on each restart).</summary>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(typeof(TActor), factory, Dispatchers.DefaultId, MailboxOptions.Unbounded, null);
    }

    /// <summary>Returns a copy that runs on the dispatcher <paramref name="dispatcherId"/>.</summary>
    public Props WithDispatcher(string dispatcherId) => new(ActorType, _factory, dispatcherId, Mailbox, SupervisorStrategy);

    /// <summary>Returns a copy with the mailbox <paramref name="mailbox"/>.</summary>
    public Props WithMailbox(MailboxOptions mailbox) => new(ActorType, _factory, Dispatcher, mailbox, SupervisorStrategy);

    /// <summary>Returns a copy whose children are supervised by <paramref name="strategy"/>.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => new(ActorType, _factory, Dispatcher, Mailbox, strategy);

    internal ActorBase NewActor() => _factory();
}
