namespace ActorVisor.Actors;

/// <summary>
/// A handle to an actor. Messages sent through one reference from one sender arrive in the order
/// they were sent; a message sent to an actor that has stopped goes to dead letters.
/// </summary>
public interface IActorRef
{
    /// <summary>Gets the path of the actor in the system's hierarchy.</summary>
    ActorPath Path { get; }

    /// <summary>Sends a message without waiting; <paramref name="sender"/> is what the receiver sees as Sender.</summary>
    void Tell(object message, IActorRef? sender);
}
