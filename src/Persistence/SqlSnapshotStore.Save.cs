using System.Text;
using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;
using ActorVisor.Persistence.Registry;

namespace ActorVisor.Persistence;

/// <summary>Saving: the pages go to the chunk table as a stream, batch by batch, then the record is committed.</summary>
public sealed partial class SqlSnapshotStore
{
    public async Task<SnapshotInfo> SaveAsync(string name, DomainImage image, IProgress<double>? progress, CancellationToken cancel)
    {
        CheckImage(name, image);
        await _gate.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            SnapshotRecord record;
            try
            {
                record = await Task.Run(() => WritePages(name, image, progress, cancel), cancel).ConfigureAwait(false);
                var committed = await AskAsync<SnapshotRecordCommitted>(new CommitSnapshotRecord(record), CancellationToken.None).ConfigureAwait(false);
                if (committed.Replaced is { } replaced && replaced.DomainName != record.DomainName)
                {
                    await CollectAsync(replaced.DomainName, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch
            {
                await CollectQuietlyAsync(image.DomainName).ConfigureAwait(false);
                throw;
            }
            // The chunks only the replaced snapshot had, and any left by an unfinished save, go now.
            await CollectAsync(image.DomainName, CancellationToken.None).ConfigureAwait(false);
            progress?.Report(1.0);
            return record.Info;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After a failed save: the chunks it wrote are unreferenced; failing to drop them is not the caller's error.</summary>
    private async Task CollectQuietlyAsync(string domain)
    {
        try
        {
            await CollectAsync(domain, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or SnapshotFormatException or System.Data.Common.DbException)
        {
            // The next save or delete of the domain collects them.
        }
    }

    private static void CheckImage(string name, DomainImage image)
    {
        CheckName(name, "snapshot name");
        CheckName(image.DomainName, "domain name");
        PageMap.CheckFrameCount(image.Memory.FrameCount);
        if (image.Sections.Count > DomainImageLimits.MaxSections)
        {
            throw new ArgumentException($"domain image has {image.Sections.Count} sections; at most {DomainImageLimits.MaxSections} are supported");
        }
        foreach (var section in image.Sections)
        {
            CheckName(section.Name, "section name");
            if (section.Payload.Length > DomainImageLimits.MaxSectionBytes)
            {
                throw new ArgumentException($"section '{section.Name}' is {section.Payload.Length} bytes; at most {DomainImageLimits.MaxSectionBytes} are supported");
            }
        }
    }

    internal static void CheckName(string name, string what)
    {
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes == 0 || bytes > DomainImageLimits.MaxNameBytes || name.Any(char.IsControl))
        {
            throw new ArgumentException($"{what} '{name}' must be 1 to {DomainImageLimits.MaxNameBytes} bytes of UTF-8 without control characters");
        }
    }

    private SnapshotRecord WritePages(string name, DomainImage image, IProgress<double>? progress, CancellationToken cancel)
    {
        var domain = image.DomainName;
        var frames = image.Memory.FrameCount;
        using var db = _chunks.Open();
        using var codec = new PageCodec();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var map = new List<PageEntry>(PageMap.EntriesPerChunk);
        var mapChunks = new List<string>();
        long added = 0, pages = 0, previous = -1;

        void FlushPages()
        {
            if (pending.Count == 0)
            {
                return;
            }
            var existing = _chunks.Existing(db, domain, pending.Keys);
            var rows = pending
                .Where(p => !existing.Contains(p.Key))
                .Select(p => new ChunkRow { Domain = domain, Address = p.Key, Data = codec.Encode(p.Value) })
                .ToList();
            added += _chunks.Insert(db, rows);
            stored.UnionWith(pending.Keys);
            pending.Clear();
            progress?.Report(frames == 0 ? 1.0 : (double)(previous + 1) / frames);
        }

        void FlushMap()
        {
            FlushPages();
            var encoded = PageMap.Encode(map);
            var address = ContentAddress.Of(encoded);
            if (!stored.Contains(address) && _chunks.Existing(db, domain, [address]).Count == 0)
            {
                added += _chunks.Insert(db, [new ChunkRow { Domain = domain, Address = address, Data = codec.Encode(encoded) }]);
            }
            stored.Add(address);
            mapChunks.Add(address);
            map.Clear();
        }

        image.Memory.ForEachPage((pfn, page) =>
        {
            if (!PageMap.Admit(pfn, page, ref previous, frames))
            {
                return;
            }
            var address = ContentAddress.Of(page);
            if (!stored.Contains(address) && !pending.ContainsKey(address))
            {
                pending[address] = page.ToArray();
                if (pending.Count == ChunkTable.QueryBatch)
                {
                    cancel.ThrowIfCancellationRequested();
                    FlushPages();
                }
            }
            map.Add(new PageEntry(pfn, address));
            pages++;
            if (map.Count == PageMap.EntriesPerChunk)
            {
                FlushMap();
            }
        });
        if (map.Count > 0 || mapChunks.Count == 0)
        {
            FlushMap();
        }
        return new SnapshotRecord(name, domain, DateTimeOffset.UtcNow, image.Version, image.VirtualTimeNs, frames, pages, added, image.Sections, mapChunks);
    }
}
