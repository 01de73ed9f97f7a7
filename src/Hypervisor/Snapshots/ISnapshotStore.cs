namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>A stored snapshot as listings show it.</summary>
/// <param name="Name">The snapshot's name (unique in the store).</param>
/// <param name="DomainName">The domain it was taken of.</param>
/// <param name="TakenAtUtc">Host time of the save.</param>
/// <param name="MemoryBytes">The domain's memory size (FrameCount × 4 KiB).</param>
/// <param name="StoredBytes">What the snapshot adds to the store (compressed chunks not shared with other snapshots, plus its record).</param>
public sealed record SnapshotInfo(string Name, string DomainName, DateTimeOffset TakenAtUtc, long MemoryBytes, long StoredBytes);

/// <summary>
/// Where saved domains go. The host saves and restores through this; src/Persistence implements it
/// on Akka.Persistence.Sql (SQLite by default, PostgreSQL), and tests may use an in-memory one.
/// Saving under an existing name replaces that snapshot only once the new one is whole. A snapshot
/// that cannot be read back whole fails with <see cref="SnapshotFormatException"/>.
/// </summary>
public interface ISnapshotStore
{
    Task<SnapshotInfo> SaveAsync(string name, DomainImage image, IProgress<double>? progress, CancellationToken cancel);

    /// <summary>The snapshot, or null when there is none of that name. Its pages may be read lazily from the store.</summary>
    Task<DomainImage?> LoadAsync(string name, CancellationToken cancel);

    Task<IReadOnlyList<SnapshotInfo>> ListAsync(CancellationToken cancel);

    /// <summary>True when a snapshot of that name existed and is gone now.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancel);
}
