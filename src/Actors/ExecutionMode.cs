namespace ActorVisor.Actors;

/// <summary>How a system runs its actors.</summary>
public enum ExecutionMode
{
    /// <summary>Real threads (thread pool and pinned threads) and the wall clock.</summary>
    ThreadPool,

    /// <summary>One caller-driven thread, virtual time, seeded tie-breaks: reproducible runs.</summary>
    Deterministic,
}
