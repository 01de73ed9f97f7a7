namespace ActorVisor.Actors;

/// <summary>
/// Ids of the built-in dispatchers. More can be declared in <see cref="ActorSystemOptions.Dispatchers"/>.
/// Under <see cref="ExecutionMode.Deterministic"/> every id runs on the single deterministic
/// dispatcher (keeping its throughput), so a program behaves the same in both modes apart from threads.
/// </summary>
public static class Dispatchers
{
    /// <summary>The shared thread-pool dispatcher with <see cref="ActorSystemOptions.Throughput"/>.</summary>
    public const string DefaultId = "default";

    /// <summary>One dedicated thread per actor.</summary>
    public const string PinnedId = "pinned";
}
