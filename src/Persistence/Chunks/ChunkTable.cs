using LinqToDB;
using LinqToDB.Data;
using LinqToDB.Mapping;

namespace ActorVisor.Persistence.Chunks;

/// <summary>A stored chunk: the encoded content of one page or page map, named by the SHA-256 of its decoded content, per domain.</summary>
[Table("actorvisor_snapshot_chunks")]
internal sealed class ChunkRow
{
    [Column("domain", Length = DomainImageLimits.MaxNameBytes, CanBeNull = false), PrimaryKey(0)]
    public string Domain { get; set; } = "";

    [Column("address", Length = ContentAddress.HexLength, CanBeNull = false), PrimaryKey(1)]
    public string Address { get; set; } = "";

    [Column("data", CanBeNull = false)]
    public byte[] Data { get; set; } = [];
}

/// <summary>
/// The chunk table, beside Akka.Persistence.Sql's journal in the same database (linq2db, the same
/// library the plugin uses). Chunks are shared by every snapshot of one domain: a page already
/// stored for the domain is not written again. A chunk is only ever inserted whole (one insert per
/// batch, in a transaction) and only deleted by <see cref="DeleteAllExcept"/> once no snapshot
/// record names it. Not thread-safe: the store serialises its calls.
/// </summary>
internal sealed class ChunkTable
{
    /// <summary>Addresses per IN (…) query: well under SQLite's and PostgreSQL's parameter limits.</summary>
    public const int QueryBatch = 256;

    private readonly DataOptions _options;

    public ChunkTable(SnapshotStoreOptions options)
    {
        _options = new DataOptions().UseConnectionString(options.ProviderName, options.ConnectionString);
        using var db = Open();
        if (options.Database == SnapshotDatabase.Sqlite)
        {
            // Write-ahead logging: readers do not block the writer, and a commit is one append.
            db.Execute("PRAGMA journal_mode=WAL");
        }
        db.CreateTable<ChunkRow>(tableOptions: TableOptions.CreateIfNotExists);
    }

    public DataConnection Open() => new(_options);

    /// <summary>Which of <paramref name="addresses"/> (at most <see cref="QueryBatch"/>) the domain already has.</summary>
    public HashSet<string> Existing(DataConnection db, string domain, IReadOnlyCollection<string> addresses)
    {
        var found = db.GetTable<ChunkRow>()
            .Where(r => r.Domain == domain && addresses.Contains(r.Address))
            .Select(r => r.Address)
            .ToList();
        return new HashSet<string>(found, StringComparer.Ordinal);
    }

    /// <summary>Inserts new chunks of one domain in one transaction; returns their encoded bytes.</summary>
    public long Insert(DataConnection db, IReadOnlyList<ChunkRow> rows)
    {
        if (rows.Count == 0)
        {
            return 0;
        }
        using var transaction = db.BeginTransaction();
        db.BulkCopy(rows);
        transaction.Commit();
        return rows.Sum(r => (long)r.Data.Length);
    }

    /// <summary>The encoded chunks of <paramref name="addresses"/> (at most <see cref="QueryBatch"/>) that exist.</summary>
    public Dictionary<string, byte[]> Read(DataConnection db, string domain, IReadOnlyCollection<string> addresses) =>
        db.GetTable<ChunkRow>()
            .Where(r => r.Domain == domain && addresses.Contains(r.Address))
            .ToDictionary(r => r.Address, r => r.Data, StringComparer.Ordinal);

    /// <summary>Deletes every chunk of <paramref name="domain"/> not in <paramref name="keep"/>; returns how many went.</summary>
    public int DeleteAllExcept(DataConnection db, string domain, IReadOnlySet<string> keep)
    {
        var doomed = db.GetTable<ChunkRow>()
            .Where(r => r.Domain == domain)
            .Select(r => r.Address)
            .AsEnumerable()
            .Where(a => !keep.Contains(a))
            .ToList();
        foreach (var batch in doomed.Chunk(QueryBatch))
        {
            db.GetTable<ChunkRow>().Where(r => r.Domain == domain && batch.Contains(r.Address)).Delete();
        }
        return doomed.Count;
    }

    /// <summary>How many chunks the domain has (tests and benchmarks count them).</summary>
    public int Count(string domain)
    {
        using var db = Open();
        return db.GetTable<ChunkRow>().Count(r => r.Domain == domain);
    }

    /// <summary>Replaces a stored chunk's bytes (tests use it to corrupt one).</summary>
    public void Overwrite(string domain, string address, byte[] data)
    {
        using var db = Open();
        db.GetTable<ChunkRow>().Where(r => r.Domain == domain && r.Address == address).Set(r => r.Data, data).Update();
    }
}
