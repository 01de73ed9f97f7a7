namespace ActorVisor.Actors;

/// <summary>
/// A user message in flight, doubling as the node of the mailbox's lock-free queue so that one Tell
/// allocates exactly one object.
/// </summary>
internal sealed class Envelope
{
    public object? Message;
    public IActorRef? Sender;
    public Envelope? Next;
}
