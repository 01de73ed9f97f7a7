namespace ActorVisor.Actors;

/// <summary>The reference to an actor of this process: Tell enqueues into its mailbox or, if that refuses, into dead letters.</summary>
internal sealed class LocalActorRef(ActorCell cell) : IInternalActorRef
{
    public ActorCell Cell { get; } = cell;

    public ActorPath Path => Cell.Path;

    public bool IsTerminated => Cell.Mailbox.IsClosed;

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Cell.Mailbox.Post(message, sender))
        {
            Cell.System.DeadLetterFrom(message, sender, this);
        }
    }

    public void SendSystemMessage(SystemMessage message)
    {
        if (!Cell.Mailbox.PostSystem(message))
        {
            Cell.SystemMessageToDeadActor(message);
        }
    }

    public override string ToString() => $"[{Path}]";
}
