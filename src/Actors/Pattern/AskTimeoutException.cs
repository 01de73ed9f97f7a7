namespace ActorVisor.Actors;

/// <summary>An Ask got no reply in time; the message names the target actor and the message type.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    public AskTimeoutException()
    {
    }

    public AskTimeoutException(string message)
        : base(message)
    {
    }

    public AskTimeoutException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
