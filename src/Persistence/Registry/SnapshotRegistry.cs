using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorVisor.Persistence.Registry;

/// <summary>
/// The persistent registry of snapshots: name → record. Its persistence id is
/// <see cref="PersistenceId"/> (<c>actorvisor/snapshots</c>), one per store: its journal holds
/// <see cref="SnapshotRecorded"/> and <see cref="SnapshotForgotten"/> events, and every
/// <see cref="EventsPerStateSnapshot"/> events its whole state goes to Akka's snapshot store so that
/// recovery reads one state and a short tail. A snapshot exists exactly when its record event is
/// in the journal: the store persists the record only after every chunk it names is written, so a
/// save that dies midway leaves the previous record of the name in force.
/// </summary>
internal sealed class SnapshotRegistry : ReceivePersistentActor
{
    public const string RegistryPersistenceId = "actorvisor/snapshots";

    public const int EventsPerStateSnapshot = 100;

    private readonly SortedDictionary<string, SnapshotRecord> _records = new(StringComparer.Ordinal);

    public SnapshotRegistry()
    {
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is RegistryState state)
            {
                _records.Clear();
                foreach (var record in state.Records)
                {
                    _records[record.Name] = record;
                }
            }
        });
        Recover<SnapshotRecorded>(e => Apply(e));
        Recover<SnapshotForgotten>(e => Apply(e));

        Command<CommitSnapshotRecord>(c => Persist(new SnapshotRecorded(c.Record), e =>
        {
            var replaced = Apply(e);
            Sender.Tell(new SnapshotRecordCommitted(replaced));
            SaveStateNowAndThen();
        }));
        Command<ForgetSnapshotRecord>(c =>
        {
            if (!_records.ContainsKey(c.Name))
            {
                Sender.Tell(new SnapshotRecordForgotten(null));
                return;
            }
            Persist(new SnapshotForgotten(c.Name), e =>
            {
                Sender.Tell(new SnapshotRecordForgotten(Apply(e)));
                SaveStateNowAndThen();
            });
        });
        Command<QuerySnapshotRecords>(q => Sender.Tell(new SnapshotRecords(
            q.Name is null ? [.. _records.Values] : _records.TryGetValue(q.Name, out var one) ? [one] : [])));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => Context.GetLogger().Warning(f.Cause, "the snapshot registry's state snapshot failed; recovery replays more events"));
    }

    public override string PersistenceId => RegistryPersistenceId;

    private SnapshotRecord? Apply(SnapshotRecorded e)
    {
        _records.TryGetValue(e.Record.Name, out var replaced);
        _records[e.Record.Name] = e.Record;
        return replaced;
    }

    private SnapshotRecord? Apply(SnapshotForgotten e) => _records.Remove(e.Name, out var gone) ? gone : null;

    private void SaveStateNowAndThen()
    {
        if (LastSequenceNr % EventsPerStateSnapshot == 0)
        {
            SaveSnapshot(new RegistryState([.. _records.Values]));
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Sender.Tell(new Status.Failure(new IOException($"the snapshot registry could not persist its event #{sequenceNr}: {cause.Message}", cause)));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Sender.Tell(new Status.Failure(new IOException($"the snapshot registry's journal rejected event #{sequenceNr}: {cause.Message}", cause)));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}
