namespace ActorVisor.Actors;

/// <summary>An actor did not handle <see cref="Terminated"/> for an actor it watches; it dies with it.</summary>
public sealed class DeathPactException : Exception
{
    public DeathPactException()
    {
    }

    public DeathPactException(string message)
        : base(message)
    {
    }

    public DeathPactException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
