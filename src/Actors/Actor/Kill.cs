namespace ActorVisor.Actors;

/// <summary>Makes the actor fail with <see cref="ActorKilledException"/>; the default supervisor stops it.</summary>
public sealed class Kill : IAutoReceivedMessage
{
    private Kill()
    {
    }

    /// <summary>Gets the single instance.</summary>
    public static Kill Instance { get; } = new();

    public override string ToString() => "Kill";
}
