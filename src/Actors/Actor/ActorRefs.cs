namespace ActorVisor.Actors;

/// <summary>Well-known references, as in Akka: NoSender for messages sent from outside any actor.</summary>
public static class ActorRefs
{
    /// <summary>Gets the sender to pass when a message has no sender; the receiver sees dead letters as Sender.</summary>
    public static IActorRef? NoSender => null;

    /// <summary>Gets a reference that points to no actor; messages sent to it are dropped.</summary>
    public static IActorRef Nobody { get; } = new NobodyRef();

    private sealed class NobodyRef : IActorRef
    {
        public ActorPath Path { get; } = ActorPath.Root("nobody");

        public void Tell(object message, IActorRef? sender)
        {
        }

        public override string ToString() => "Nobody";
    }
}
