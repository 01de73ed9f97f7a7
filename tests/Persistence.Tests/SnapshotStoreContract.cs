using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Persistence.Tests;

/// <summary>
/// What every database under <see cref="SqlSnapshotStore"/> must do; <see cref="SqliteSnapshotStoreTests"/>
/// and <see cref="PostgresSnapshotStoreTests"/> run it. Names carry a fresh suffix so that runs on a
/// shared PostgreSQL database do not see each other's snapshots.
/// </summary>
public abstract class SnapshotStoreContract
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    protected abstract SnapshotStoreOptions Options { get; }

    protected string Named(string name) => $"{name}-{_suffix}";

    protected Task<SqlSnapshotStore> OpenAsync() => SqlSnapshotStore.OpenAsync(Options);

    protected async Task Round_trip_gives_back_every_byte_body()
    {
        var source = new SyntheticImage(600, seed: 1);
        var domain = Named("guest");
        await using var store = await OpenAsync();
        var info = await store.SaveAsync(Named("snap"), source.Image(domain), null, default);

        Assert.Equal(600L * 4096, info.MemoryBytes);
        var image = await store.LoadAsync(Named("snap"), default);
        Assert.NotNull(image);
        Assert.Equal(domain, image.DomainName);
        Assert.Equal(123_456_789, image.VirtualTimeNs);
        Assert.Equal(DomainImage.FormatVersion, image.Version);
        Assert.Equal(600, image.Memory.FrameCount);
        Assert.Equal(["vcpu/0", "domain"], image.Sections.Select(s => s.Name));
        Assert.Equal([1, 2, 3, 4], image.Sections[0].Payload);
        Assert.Equal(2, image.Sections[0].Version);
        SyntheticImage.AssertSamePages(source.Pages, image.Memory);
        // Zero pages are not stored and repeated pages are stored once: one chunk per distinct page, plus the page map.
        Assert.True(source.DistinctPages < source.Pages.Count, "the synthetic image should repeat some pages");
        Assert.Equal(source.DistinctPages + 1, await store.ChunkCountAsync(domain));
    }

    protected async Task A_second_snapshot_after_one_percent_changes_stores_one_percent_new_chunks_body()
    {
        var source = new SyntheticImage(2000, seed: 2, zeroShare: 0, duplicateShare: 0);
        var domain = Named("dedup");
        await using var store = await OpenAsync();
        var first = await store.SaveAsync(Named("first"), source.Image(domain), null, default);
        var before = await store.ChunkCountAsync(domain);
        Assert.Equal(2000 + 1, before);

        source.Touch(20, seed: 3);
        var second = await store.SaveAsync(Named("second"), source.Image(domain), null, default);

        // 20 new page chunks and one new page map; the other 1980 pages are shared with the first snapshot.
        Assert.Equal(before + 20 + 1, await store.ChunkCountAsync(domain));
        Assert.True(second.StoredBytes * 20 < first.StoredBytes, $"second snapshot adds {second.StoredBytes} bytes, the first {first.StoredBytes}");
        SyntheticImage.AssertSamePages(source.Pages, (await store.LoadAsync(Named("second"), default))!.Memory);
    }

    protected async Task A_failed_save_leaves_the_previous_snapshot_of_the_name_whole_body()
    {
        var original = new SyntheticImage(400, seed: 4);
        var domain = Named("replace");
        var name = Named("snap");
        await using (var store = await OpenAsync())
        {
            await store.SaveAsync(name, original.Image(domain), null, default);
            var chunks = await store.ChunkCountAsync(domain);

            var replacement = new SyntheticImage(400, seed: 5) { FailAfterPages = 150 };
            await Assert.ThrowsAsync<IOException>(() => store.SaveAsync(name, replacement.Image(domain), null, default));

            SyntheticImage.AssertSamePages(original.Pages, (await store.LoadAsync(name, default))!.Memory);
            // What the failed save wrote is collected: the store holds what it held before.
            Assert.Equal(chunks, await store.ChunkCountAsync(domain));

            replacement.FailAfterPages = null;
            await store.SaveAsync(name, replacement.Image(domain), null, default);
            SyntheticImage.AssertSamePages(replacement.Pages, (await store.LoadAsync(name, default))!.Memory);
        }
        await using (var reopened = await OpenAsync())
        {
            var again = new SyntheticImage(400, seed: 5);
            SyntheticImage.AssertSamePages(again.Pages, (await reopened.LoadAsync(name, default))!.Memory);
            Assert.Equal(again.DistinctPages + 1, await reopened.ChunkCountAsync(domain));
        }
    }

    protected async Task A_corrupt_chunk_is_refused_naming_the_pfn_body()
    {
        var source = new SyntheticImage(100, seed: 6, zeroShare: 0, duplicateShare: 0);
        var domain = Named("corrupt");
        await using var store = await OpenAsync();
        await store.SaveAsync(Named("snap"), source.Image(domain), null, default);
        var (pfn, page) = source.Pages.ElementAt(42);
        var other = source.Pages.ElementAt(43).Value;
        using (var codec = new Chunks.PageCodec())
        {
            store.Chunks.Overwrite(domain, Chunks.ContentAddress.Of(page), codec.Encode(other));
        }

        var image = await store.LoadAsync(Named("snap"), default);
        var error = Assert.Throws<SnapshotFormatException>(() => image!.Memory.ForEachPage((_, _) => { }));
        Assert.Contains($"(pfn {pfn}) is corrupt", error.Message, StringComparison.Ordinal);
        Assert.Contains(Named("snap"), error.Message, StringComparison.Ordinal);
    }

    protected async Task List_and_delete_body()
    {
        var domain = Named("listed");
        await using var store = await OpenAsync();
        await store.SaveAsync(Named("a"), new SyntheticImage(50, seed: 7).Image(domain), null, default);
        await store.SaveAsync(Named("b"), new SyntheticImage(50, seed: 8).Image(domain), null, default);

        var names = (await store.ListAsync(default)).Select(i => i.Name).ToList();
        Assert.Contains(Named("a"), names);
        Assert.Contains(Named("b"), names);
        Assert.True(await store.DeleteAsync(Named("a"), default));
        Assert.False(await store.DeleteAsync(Named("a"), default));
        Assert.Null(await store.LoadAsync(Named("a"), default));
        Assert.DoesNotContain(Named("a"), (await store.ListAsync(default)).Select(i => i.Name));
        Assert.True(await store.DeleteAsync(Named("b"), default));
        Assert.Equal(0, await store.ChunkCountAsync(domain));
    }
}
