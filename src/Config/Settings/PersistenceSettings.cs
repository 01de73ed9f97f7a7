namespace ActorVisor.Config.Settings;

public enum PersistenceProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>actorvisor.persistence: where the journal and snapshots are stored.</summary>
public sealed record PersistenceSettings(PersistenceProvider Provider, string ConnectionString, string SnapshotDirectory);
