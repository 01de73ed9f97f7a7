using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;
using ActorVisor.Persistence.Registry;
using LinqToDB.Data;

namespace ActorVisor.Persistence;

/// <summary>
/// A stored snapshot's memory, read lazily from the chunk table: each visit reads the page maps
/// and then the pages in batches, checking every chunk against its address (a missing, corrupt or
/// substituted chunk fails with <see cref="SnapshotFormatException"/> naming the snapshot, the pfn
/// and the chunk).
/// </summary>
internal sealed class StoredPageSource(ChunkTable chunks, SnapshotRecord record) : IPageSource
{
    public long FrameCount => record.FrameCount;

    public void ForEachPage(PageVisitor visit)
    {
        using var db = chunks.Open();
        using var codec = new PageCodec();
        var page = new byte[DomainImage.PageSize];
        long visited = 0;
        foreach (var batch in Entries(chunks, db, record).Chunk(ChunkTable.QueryBatch))
        {
            var data = chunks.Read(db, record.DomainName, batch.Select(e => e.Address).Distinct().ToList());
            foreach (var entry in batch)
            {
                var what = $"snapshot '{record.Name}': page chunk {entry.Address} (pfn {entry.Pfn})";
                if (!data.TryGetValue(entry.Address, out var encoded))
                {
                    throw new SnapshotFormatException($"{what} is missing from the store");
                }
                codec.Decode(encoded, page, what);
                if (!ContentAddress.Matches(entry.Address, page))
                {
                    throw new SnapshotFormatException($"{what} is corrupt: its content does not hash to its address");
                }
                visit(entry.Pfn, page);
                visited++;
            }
        }
        if (visited != record.PageCount)
        {
            throw new SnapshotFormatException($"snapshot '{record.Name}': its page maps list {visited} pages, its record {record.PageCount}");
        }
    }

    /// <summary>The page entries of <paramref name="record"/>, map chunk by map chunk, each map checked against its address.</summary>
    public static IEnumerable<PageEntry> Entries(ChunkTable chunks, DataConnection db, SnapshotRecord record)
    {
        using var codec = new PageCodec();
        var previous = -1L;
        for (var i = 0; i < record.MapChunks.Count; i++)
        {
            var address = record.MapChunks[i];
            var what = $"snapshot '{record.Name}': page-map chunk {i} ({address})";
            if (!chunks.Read(db, record.DomainName, [address]).TryGetValue(address, out var encoded))
            {
                throw new SnapshotFormatException($"{what} is missing from the store");
            }
            var map = new byte[PageCodec.DecodedLength(encoded, PageMap.MaxEncodedBytes, what)];
            codec.Decode(encoded, map, what);
            if (!ContentAddress.Matches(address, map))
            {
                throw new SnapshotFormatException($"{what} is corrupt: its content does not hash to its address");
            }
            foreach (var entry in PageMap.Decode(map, previous, record.FrameCount, what))
            {
                previous = entry.Pfn;
                yield return entry;
            }
        }
    }
}
