namespace ActorVisor.Actors;

/// <summary>An <see cref="ActorSelection"/> resolved to no live actor.</summary>
public sealed class ActorNotFoundException : Exception
{
    public ActorNotFoundException()
    {
    }

    public ActorNotFoundException(string message)
        : base(message)
    {
    }

    public ActorNotFoundException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
