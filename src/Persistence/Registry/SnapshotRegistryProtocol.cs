namespace ActorVisor.Persistence.Registry;

/// <summary>What the registry persists (its events and its own Akka snapshot); bound to <see cref="SnapshotRecordSerializer"/>.</summary>
internal interface IRegistryPersisted;

/// <summary>Event: a snapshot became whole and now answers to its name (replacing any before it).</summary>
internal sealed record SnapshotRecorded(SnapshotRecord Record) : IRegistryPersisted;

/// <summary>Event: the snapshot of that name was deleted.</summary>
internal sealed record SnapshotForgotten(string Name) : IRegistryPersisted;

/// <summary>The registry's whole state, saved to Akka's snapshot store every <see cref="SnapshotRegistry.EventsPerStateSnapshot"/> events.</summary>
internal sealed record RegistryState(IReadOnlyList<SnapshotRecord> Records) : IRegistryPersisted;

/// <summary>Command: make <see cref="Record"/> the snapshot of its name. Reply: <see cref="SnapshotRecordCommitted"/>.</summary>
internal sealed record CommitSnapshotRecord(SnapshotRecord Record);

/// <summary>Reply: the record is persisted; <see cref="Replaced"/> is the one it took the name from, if any.</summary>
internal sealed record SnapshotRecordCommitted(SnapshotRecord? Replaced);

/// <summary>Command: forget the snapshot of that name. Reply: <see cref="SnapshotRecordForgotten"/>.</summary>
internal sealed record ForgetSnapshotRecord(string Name);

/// <summary>Reply: <see cref="Forgotten"/> is the record that went, or null when there was none of that name.</summary>
internal sealed record SnapshotRecordForgotten(SnapshotRecord? Forgotten);

/// <summary>Query: the records, all of them or of one name. Reply: <see cref="SnapshotRecords"/>.</summary>
internal sealed record QuerySnapshotRecords(string? Name);

/// <summary>Reply: the records asked for, ordered by name.</summary>
internal sealed record SnapshotRecords(IReadOnlyList<SnapshotRecord> Records);
