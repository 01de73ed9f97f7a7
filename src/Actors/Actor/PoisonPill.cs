namespace ActorVisor.Actors;

/// <summary>An ordinary message that stops the actor when it reaches the head of the mailbox.</summary>
public sealed class PoisonPill : IAutoReceivedMessage
{
    private PoisonPill()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static PoisonPill Instance { get; } = new();

    public override string ToString() => "PoisonPill";
}
