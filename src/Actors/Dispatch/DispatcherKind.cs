namespace ActorVisor.Actors;

/// <summary>How a configured dispatcher runs its actors.</summary>
public enum DispatcherKind
{
    /// <summary>Shared .NET thread pool.</summary>
    ThreadPool,

    /// <summary>A dedicated thread for each actor.</summary>
    Pinned,
}
