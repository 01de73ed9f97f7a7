namespace ActorVisor.Actors;

/// <summary>A child name is empty, contains '/', starts with '$', or is already taken by a live sibling.</summary>
public sealed class InvalidActorNameException : Exception
{
    public InvalidActorNameException()
    {
    }

    public InvalidActorNameException(string message)
        : base(message)
    {
    }

    public InvalidActorNameException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
