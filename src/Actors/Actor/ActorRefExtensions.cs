namespace ActorVisor.Actors;

/// <summary>Tell with the implicit sender: inside an actor the sender is Self, outside it is NoSender.</summary>
public static class ActorRefExtensions
{
    /// <summary>Sends a message; the sender is the actor whose message is being processed on this thread, if any.</summary>
    public static void Tell(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Tell(message, ActorCell.Current?.Self);
    }

    /// <summary>Sends a message keeping the current message's original sender, as Akka's Forward does.</summary>
    public static void Forward(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var cell = ActorCell.Current ?? throw new InvalidOperationException("Forward can only be used inside an actor.");
        receiver.Tell(message, cell.Sender);
    }
}
