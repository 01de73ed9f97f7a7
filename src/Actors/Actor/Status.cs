namespace ActorVisor.Actors;

/// <summary>Replies that carry an outcome; an Ask that receives <see cref="Failure"/> fails with its cause.</summary>
public static class Status
{
    /// <summary>A successful outcome with an optional value.</summary>
    public sealed record Success(object? Status);

    /// <summary>A failed outcome.</summary>
    public sealed record Failure(Exception Cause);
}
