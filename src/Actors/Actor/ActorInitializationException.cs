namespace ActorVisor.Actors;

/// <summary>The actor's constructor, PreStart or PostRestart threw; the default supervisor stops it.</summary>
public sealed class ActorInitializationException : Exception
{
    public ActorInitializationException()
    {
    }

    public ActorInitializationException(string message)
        : base(message)
    {
    }

    public ActorInitializationException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
