namespace ActorVisor.Actors;

/// <summary>The dead-letters reference: everything sent to it is counted and published as <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system, ActorPath path) : IInternalActorRef
{
    public ActorPath Path { get; } = path;

    public bool IsTerminated => false;

    public void Tell(object message, IActorRef? sender)
    {
        if (message is DeadLetter letter)
        {
            system.DeadLetterFrom(letter.Message, letter.Sender, letter.Recipient);
        }
        else
        {
            system.DeadLetterFrom(message, sender, this);
        }
    }

    public void SendSystemMessage(SystemMessage message)
    {
        if (message is Watch watch && !ReferenceEquals(watch.Watcher, this))
        {
            watch.Watcher.SendSystemMessage(new DeathWatchNotification(this));
        }
    }

    public override string ToString() => $"[{Path}]";
}
