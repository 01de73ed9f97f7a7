using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;
using ActorVisor.Persistence.Registry;
using Akka.Actor;
using Akka.Configuration;

namespace ActorVisor.Persistence;

/// <summary>
/// The snapshot store on Akka.Persistence.Sql: the registry of snapshots is a persistent actor
/// (<see cref="SnapshotRegistry"/>, persistence id <c>actorvisor/snapshots</c>) whose journal and
/// state snapshots are Akka.Persistence.Sql's tables, and the pages are content-addressed chunks
/// in a table of our own in the same database (<see cref="ChunkTable"/>).
///
/// Invariants: a snapshot exists exactly when the registry holds its record; a record is persisted
/// only after every chunk it names is stored whole, so saving under an existing name replaces the
/// old snapshot only once the new one is whole, and a save that fails or is killed midway leaves
/// the old one as it was; a chunk is deleted only when no record of its domain names it (chunks of
/// an unfinished save are collected by the domain's next save or delete). Calls are serialised.
///
/// The store runs its own small actor system (<c>actorvisor-persistence</c>, Akka's default
/// dispatcher): persistence does real I/O and must not run on a scenario's deterministic loop.
/// </summary>
public sealed partial class SqlSnapshotStore : ISnapshotStore, IAsyncDisposable, IDisposable
{
    /// <summary>How long a registry command may take before the call fails.</summary>
    public static readonly TimeSpan RegistryTimeout = TimeSpan.FromSeconds(60);

    private readonly ActorSystem _system;
    private readonly IActorRef _registry;
    private readonly ChunkTable _chunks;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SqlSnapshotStore(SnapshotStoreOptions options, ActorSystem system, IActorRef registry, ChunkTable chunks)
    {
        Options = options;
        _system = system;
        _registry = registry;
        _chunks = chunks;
    }

    public SnapshotStoreOptions Options { get; }

    /// <summary>Opens (creating the tables when missing) the store at <paramref name="options"/> and waits for its registry to recover.</summary>
    public static async Task<SqlSnapshotStore> OpenAsync(SnapshotStoreOptions options, CancellationToken cancel = default)
    {
        var chunks = await Task.Run(() => new ChunkTable(options), cancel).ConfigureAwait(false);
        var system = ActorSystem.Create("actorvisor-persistence", AkkaConfig(options));
        try
        {
            var registry = system.ActorOf(Props.Create(() => new SnapshotRegistry()), "snapshot-registry");
            var store = new SqlSnapshotStore(options, system, registry, chunks);
            await store.AskAsync<SnapshotRecords>(new QuerySnapshotRecords(null), cancel).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Akka's settings for the store's system: the Sql journal and snapshot store, each with its
    /// explicit <c>class</c> (without it the plugin actor fails in PreStart), and our serializer bound
    /// to the registry's types.
    /// </summary>
    internal static Config AkkaConfig(SnapshotStoreOptions options)
    {
        var connection = Quote(options.ConnectionString);
        var provider = Quote(options.ProviderName);
        var serializer = Quote(typeof(SnapshotRecordSerializer).AssemblyQualifiedName!.Split(", Version")[0]);
        var persisted = Quote(typeof(IRegistryPersisted).AssemblyQualifiedName!.Split(", Version")[0]);
        return ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              actor {
                serializers { actorvisor-snapshot-registry = {{serializer}} }
                serialization-bindings { {{persisted}} = actorvisor-snapshot-registry }
              }
              persistence {
                journal {
                  plugin = "akka.persistence.journal.sql"
                  sql {
                    class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
                    connection-string = {{connection}}
                    provider-name = {{provider}}
                    auto-initialize = true
                  }
                }
                snapshot-store {
                  plugin = "akka.persistence.snapshot-store.sql"
                  sql {
                    class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
                    connection-string = {{connection}}
                    provider-name = {{provider}}
                    auto-initialize = true
                  }
                }
              }
            }
            """);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public async Task<DomainImage?> LoadAsync(string name, CancellationToken cancel)
    {
        var record = await FindAsync(name, cancel).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }
        return new DomainImage
        {
            DomainName = record.DomainName,
            Version = record.ImageVersion,
            VirtualTimeNs = record.VirtualTimeNs,
            Sections = record.Sections,
            Memory = new StoredPageSource(_chunks, record),
        };
    }

    public async Task<IReadOnlyList<SnapshotInfo>> ListAsync(CancellationToken cancel)
    {
        var records = await AskAsync<SnapshotRecords>(new QuerySnapshotRecords(null), cancel).ConfigureAwait(false);
        return [.. records.Records.Select(r => r.Info)];
    }

    /// <summary>The listing of one snapshot, or null.</summary>
    public async Task<SnapshotInfo?> InfoAsync(string name, CancellationToken cancel) =>
        (await FindAsync(name, cancel).ConfigureAwait(false))?.Info;

    public async Task<bool> DeleteAsync(string name, CancellationToken cancel)
    {
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            var reply = await AskAsync<SnapshotRecordForgotten>(new ForgetSnapshotRecord(name), cancel).ConfigureAwait(false);
            if (reply.Forgotten is null)
            {
                return false;
            }
            await CollectAsync(reply.Forgotten.DomainName, cancel).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many chunks (pages and page maps) the store holds for <paramref name="domain"/>.</summary>
    public Task<int> ChunkCountAsync(string domain) => Task.Run(() => _chunks.Count(domain));

    internal ChunkTable Chunks => _chunks;

    internal async Task<SnapshotRecord?> FindAsync(string name, CancellationToken cancel)
    {
        var reply = await AskAsync<SnapshotRecords>(new QuerySnapshotRecords(name), cancel).ConfigureAwait(false);
        return reply.Records.Count == 0 ? null : reply.Records[0];
    }

    /// <summary>Deletes the chunks of <paramref name="domain"/> that no record names (the caller holds the gate).</summary>
    private async Task CollectAsync(string domain, CancellationToken cancel)
    {
        var all = await AskAsync<SnapshotRecords>(new QuerySnapshotRecords(null), cancel).ConfigureAwait(false);
        await Task.Run(() =>
        {
            using var db = _chunks.Open();
            var keep = new HashSet<string>(StringComparer.Ordinal);
            foreach (var record in all.Records.Where(r => r.DomainName == domain))
            {
                keep.UnionWith(record.MapChunks);
                foreach (var entry in StoredPageSource.Entries(_chunks, db, record))
                {
                    keep.Add(entry.Address);
                }
            }
            _chunks.DeleteAllExcept(db, domain, keep);
        }, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<T> AskAsync<T>(object message, CancellationToken cancel)
    {
        var reply = await _registry.Ask<object>(message, RegistryTimeout, cancel).ConfigureAwait(false);
        return reply switch
        {
            T answer => answer,
            Status.Failure failure => throw failure.Cause,
            _ => throw new InvalidOperationException($"the snapshot registry answered {reply.GetType().Name} to {message.GetType().Name}"),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _system.Terminate().ConfigureAwait(false);
        _gate.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
