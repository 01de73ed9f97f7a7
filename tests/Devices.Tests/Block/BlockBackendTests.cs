using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Block;
using Xunit;
using static ActorVisor.Devices.Tests.Block.TestBlockFrontend;

namespace ActorVisor.Devices.Tests.Block;

public sealed class BlockBackendTests : IDisposable
{
    private const long DiskSectors = 2048;

    private readonly TempImage _file = new(DiskSectors * 512);
    private readonly List<BlockBackend> _backends = [];

    public void Dispose()
    {
        foreach (var backend in _backends)
        {
            backend.Dispose();
        }

        _file.Dispose();
    }

    [Fact]
    public void Backend_advertises_the_keys_blkfront_reads()
    {
        var backend = Open();
        var keys = backend.AdvertisedKeys.ToDictionary(k => k.Key, k => k.Value);

        Assert.Equal(DeviceClass.Vbd, backend.Class);
        Assert.Equal("2048", keys["sectors"]);
        Assert.Equal("512", keys["sector-size"]);
        Assert.Equal("512", keys["physical-sector-size"]);
        Assert.Equal("w", keys["mode"]);
        Assert.Equal("0", keys["info"]);
        Assert.Equal("1", keys["feature-flush-cache"]);
        Assert.Equal("1", keys["feature-barrier"]);
        Assert.Equal("1", keys["feature-discard"]);
        Assert.Equal("512", keys["discard-granularity"]);
        Assert.Equal("0", keys["discard-alignment"]);
        Assert.Equal("0", keys["discard-secure"]);
        Assert.Equal("256", keys["feature-max-indirect-segments"]);
        Assert.Equal("4", keys["max-ring-page-order"]);
        Assert.Equal("0", keys["feature-persistent"]);
    }

    [Fact]
    public void Read_only_cdrom_advertises_mode_r_and_its_info_bits_and_no_discard()
    {
        var backend = Open(options: new BlockBackendOptions { CdRom = true });
        var keys = backend.AdvertisedKeys.ToDictionary(k => k.Key, k => k.Value);

        Assert.Equal("r", keys["mode"]);
        Assert.Equal("5", keys["info"]);
        Assert.False(keys.ContainsKey("feature-discard"));
    }

    [Theory]
    [InlineData(GuestAbi.X86_64)]
    [InlineData(GuestAbi.X86_32)]
    public void Write_then_read_moves_the_granted_bytes_to_the_image_and_back(GuestAbi abi)
    {
        var (backend, front) = Connected(abi);
        var source = Pattern(4096, seed: 3);
        var sourceRef = front.Grants.Grant(source, readOnly: true);

        front.Send(front.ReadWrite(OpWrite, id: 0x1122334455667788, sector: 16, (sourceRef, 0, 7)));
        Assert.Equal(1, backend.Service());
        var written = front.TakeOnlyResponse();

        Assert.Equal(new Response(0x1122334455667788, OpWrite, Okay), written);
        Assert.Equal(source, _file.ReadBytes(16 * 512, 4096));

        var targetRef = front.Grants.Grant();
        front.Send(front.ReadWrite(OpRead, id: 7, sector: 16, (targetRef, 0, 7)));
        Assert.Equal(1, backend.Service());

        Assert.Equal(new Response(7, OpRead, Okay), front.TakeOnlyResponse());
        Assert.Equal(source, front.Grants.Page(targetRef));
        Assert.Equal(2, backend.Counters.Requests);
        Assert.Equal(8192, backend.Counters.Bytes);
        Assert.Equal(0, backend.Counters.Errors);
    }

    [Theory]
    [InlineData(GuestAbi.X86_64)]
    [InlineData(GuestAbi.X86_32)]
    public void Segments_move_only_their_sectors_of_each_page_and_cover_consecutive_disk_sectors(GuestAbi abi)
    {
        var (backend, front) = Connected(abi);
        var first = Pattern(4096, seed: 1);
        var second = Pattern(4096, seed: 2);
        var firstRef = front.Grants.Grant(first, readOnly: true);
        var secondRef = front.Grants.Grant(second, readOnly: true);

        // Sectors 2..5 of the first page, then 0..1 of the second: six disk sectors from 100.
        front.Send(front.ReadWrite(OpWrite, 1, 100, (firstRef, 2, 5), (secondRef, 0, 1)));
        backend.Service();
        Assert.Equal(Okay, front.TakeOnlyResponse().Status);

        Assert.Equal(first[(2 * 512)..(6 * 512)], _file.ReadBytes(100 * 512, 4 * 512));
        Assert.Equal(second[..1024], _file.ReadBytes(104 * 512, 2 * 512));
        Assert.Equal(new byte[512], _file.ReadBytes(106 * 512, 512));

        var target = new byte[4096];
        Array.Fill(target, (byte)0xEE);
        var targetRef = front.Grants.Grant(target);
        front.Send(front.ReadWrite(OpRead, 2, 102, (targetRef, 6, 7)));
        backend.Service();
        Assert.Equal(Okay, front.TakeOnlyResponse().Status);

        Assert.Equal(first[(4 * 512)..(6 * 512)], target[(6 * 512)..]);
        Assert.All(target[..(6 * 512)], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void Flush_without_segments_and_barrier_with_data_both_answer_okay_and_the_barrier_data_is_written()
    {
        var (backend, front) = Connected();
        var data = Pattern(4096, seed: 9);
        var dataRef = front.Grants.Grant(data, readOnly: true);

        front.Queue(front.ReadWrite(OpFlushDiskCache, 1, 0));
        front.Queue(front.ReadWrite(OpWriteBarrier, 2, 40, (dataRef, 0, 7)));
        front.Queue(front.ReadWrite(OpFlushDiskCache, 3, 48, (dataRef, 0, 3)));
        front.Push();
        Assert.Equal(3, backend.Service());

        Assert.Equal(
            [new(1, OpFlushDiskCache, Okay), new(2, OpWriteBarrier, Okay), new(3, OpFlushDiskCache, Okay)],
            front.TakeResponses());
        Assert.Equal(data, _file.ReadBytes(40 * 512, 4096));
        Assert.Equal(data[..2048], _file.ReadBytes(48 * 512, 2048));
    }

    [Theory]
    [InlineData(GuestAbi.X86_64)]
    [InlineData(GuestAbi.X86_32)]
    public void Discard_leaves_the_range_reading_zeros_and_keeps_the_image_size(GuestAbi abi)
    {
        _file.WriteBytes(0, Pattern(64 * 512, seed: 5));
        var (backend, front) = Connected(abi);

        front.Send(front.Discard(id: 4, sector: 8, sectorCount: 16));
        backend.Service();

        Assert.Equal(new Response(4, OpDiscard, Okay), front.TakeOnlyResponse());
        Assert.Equal(new byte[16 * 512], _file.ReadBytes(8 * 512, 16 * 512));
        Assert.Equal(Pattern(64 * 512, seed: 5)[(24 * 512)..], _file.ReadBytes(24 * 512, 40 * 512));
        Assert.Equal(DiskSectors * 512, new FileInfo(_file.Path).Length);
        Assert.Equal(1, backend.DiscardsPunched + backend.DiscardsZeroed);
    }

    [Theory]
    [InlineData(GuestAbi.X86_64)]
    [InlineData(GuestAbi.X86_32)]
    public void Indirect_request_carries_more_than_eleven_segments_and_answers_with_the_inner_operation(GuestAbi abi)
    {
        var (backend, front) = Connected(abi);
        const int Count = 20;
        var pages = Enumerable.Range(0, Count).Select(i => Pattern(4096, seed: 20 + i)).ToArray();
        var segments = pages.Select(p => (front.Grants.Grant(p, readOnly: true), (byte)0, (byte)7)).ToList();
        var indirect = front.GrantIndirectPage(segments);

        front.Send(front.Indirect(OpWrite, id: 11, sector: 200, Count, indirect));
        backend.Service();
        Assert.Equal(new Response(11, OpWrite, Okay), front.TakeOnlyResponse());
        Assert.Equal(pages.SelectMany(p => p).ToArray(), _file.ReadBytes(200 * 512, Count * 4096));

        var targets = Enumerable.Range(0, Count).Select(_ => front.Grants.Grant()).ToArray();
        var readIndirect = front.GrantIndirectPage(targets.Select(t => (t, (byte)0, (byte)7)).ToList());
        front.Send(front.Indirect(OpRead, id: 12, sector: 200, Count, readIndirect));
        backend.Service();

        Assert.Equal(new Response(12, OpRead, Okay), front.TakeOnlyResponse());
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(pages[i], front.Grants.Page(targets[i]));
        }
    }

    [Fact]
    public void Indirect_request_may_span_several_indirect_pages_when_the_limit_allows()
    {
        var (backend, front) = Connected(options: new BlockBackendOptions { MaxIndirectSegments = 600 });
        const int Count = 600;
        var data = Pattern(4096, seed: 77);
        var dataRef = front.Grants.Grant(data, readOnly: true);
        var all = Enumerable.Repeat((dataRef, (byte)7, (byte)7), Count).ToList();
        var firstPage = front.GrantIndirectPage(all[..512]);
        var secondPage = front.GrantIndirectPage(all[512..]);

        front.Send(front.Indirect(OpWrite, 1, 0, Count, firstPage, secondPage));
        backend.Service();

        Assert.Equal(Okay, front.TakeOnlyResponse().Status);
        var lastSector = data[(7 * 512)..];
        var disk = _file.ReadBytes(0, Count * 512);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal(lastSector, disk[(i * 512)..((i + 1) * 512)]);
        }
    }

    [Theory]
    [InlineData(GuestAbi.X86_64, 1, 64)]
    [InlineData(GuestAbi.X86_64, 2, 128)]
    [InlineData(GuestAbi.X86_32, 1, 64)]
    [InlineData(GuestAbi.X86_32, 2, 128)]
    public void Multi_page_ring_answers_a_full_ring_several_times_over_including_entries_across_page_boundaries(
        GuestAbi abi, int order, int entries)
    {
        var (backend, front) = Connected(abi, order);
        Assert.Equal(entries, backend.RingSizeEntries);
        Assert.Equal((uint)entries, front.RingSize);
        var targets = new uint[entries];
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < entries; i++)
            {
                var sector = (ulong)(i * 8 % DiskSectors);
                var source = front.Grants.Grant(Pattern(4096, seed: i), readOnly: true);
                front.Queue(front.ReadWrite(OpWrite, (ulong)(round * 1000 + i), sector, (source, (byte)(i % 8), (byte)(i % 8))));
            }

            front.Push();
            Assert.Equal(entries, backend.Service());
            var responses = front.TakeResponses();
            Assert.Equal(Enumerable.Range(0, entries).Select(i => (ulong)(round * 1000 + i)), responses.Select(r => r.Id));
            Assert.All(responses, r => Assert.Equal(Okay, r.Status));
        }

        for (var i = 0; i < entries; i++)
        {
            targets[i] = front.Grants.Grant();
            front.Queue(front.ReadWrite(OpRead, (ulong)i, (ulong)(i * 8 % DiskSectors), (targets[i], 0, 0)));
        }

        front.Push();
        backend.Service();
        Assert.All(front.TakeResponses(), r => Assert.Equal(Okay, r.Status));
        for (var i = 0; i < entries; i++)
        {
            var expected = Pattern(4096, seed: i)[(i % 8 * 512)..(i % 8 * 512 + 512)];
            Assert.Equal(expected, front.Grants.Page(targets[i])[..512]);
        }

        backend.Disconnect();
        Assert.Equal(0, front.Grants.MappedPages);
    }

    [Fact]
    public void Read_only_disk_refuses_writes_and_discards_but_serves_reads_and_empty_flushes()
    {
        _file.WriteBytes(0, Pattern(4096, seed: 8));
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(_file.Path, readOnly: true, out var image));
        var backend = Track(new BlockBackend(image!));
        var front = new TestBlockFrontend();
        Assert.Null(backend.Connect(front.Link));
        var sourceRef = front.Grants.Grant(Pattern(4096, seed: 1), readOnly: true);
        var targetRef = front.Grants.Grant();

        front.Queue(front.ReadWrite(OpWrite, 1, 0, (sourceRef, 0, 7)));
        front.Queue(front.ReadWrite(OpWriteBarrier, 2, 0, (sourceRef, 0, 7)));
        front.Queue(front.Discard(3, 0, 8));
        front.Queue(front.ReadWrite(OpRead, 4, 0, (targetRef, 0, 7)));
        front.Queue(front.ReadWrite(OpFlushDiskCache, 5, 0));
        front.Push();
        backend.Service();

        Assert.Equal([Error, Error, Error, Okay, Okay], front.TakeResponses().Select(r => r.Status));
        Assert.Equal(Pattern(4096, seed: 8), _file.ReadBytes(0, 4096));
        Assert.Equal(Pattern(4096, seed: 8), front.Grants.Page(targetRef));
        Assert.Equal(3, backend.ErrorCount(BlockRequestError.ReadOnlyDisk));
        Assert.Equal(3, backend.Counters.Errors);
    }

    [Fact]
    public void Unknown_operation_is_answered_not_supported_and_counted()
    {
        var (backend, front) = Connected();
        front.Send(front.ReadWrite(4, 99, 0));
        front.Send(front.ReadWrite(200, 100, 0));
        backend.Service();

        Assert.Equal([new(99, 4, NotSupported), new(100, 200, NotSupported)], front.TakeResponses());
        Assert.Equal(2, backend.ErrorCount(BlockRequestError.UnsupportedOperation));
    }

    [Fact]
    public void Notifications_follow_the_event_indices_on_both_sides()
    {
        var (backend, front) = Connected();
        var page = front.Grants.Grant();

        // req_event starts at 1: the first request notifies.
        front.Queue(front.ReadWrite(OpRead, 1, 0, (page, 0, 0)));
        front.Queue(front.ReadWrite(OpRead, 2, 0, (page, 0, 0)));
        front.Queue(front.ReadWrite(OpRead, 3, 0, (page, 0, 0)));
        Assert.True(front.Push());
        backend.Service();

        // rsp_event 1 lies in (0, 3]: one notification for three responses; req_event re-armed at req_cons + 1.
        Assert.Equal(1, front.Channel.Notifications);
        Assert.Equal(4u, front.RequestEvent);
        Assert.Equal(3, front.TakeResponses(rearm: false).Count);

        // The front-end did not re-arm rsp_event: the next response is not notified.
        front.Queue(front.ReadWrite(OpRead, 4, 0, (page, 0, 0)));
        Assert.True(front.Push());
        backend.Service();
        Assert.Equal(1, front.Channel.Notifications);
        Assert.Single(front.TakeResponses());

        // Re-armed (rsp_event = rsp_cons + 1): notified again.
        front.Queue(front.ReadWrite(OpRead, 5, 0, (page, 0, 0)));
        front.Push();
        backend.Service();
        Assert.Equal(2, front.Channel.Notifications);

        // A request queued while req_event says "already awake" does not notify; nothing to service adds none.
        Assert.Equal(0, backend.Service());
        Assert.Equal(2, front.Channel.Notifications);
        Assert.Equal(3, front.NotificationsSent);
    }

    [Fact]
    public void Disconnect_unmaps_the_ring_and_the_device_can_connect_again()
    {
        var (backend, front) = Connected(order: 2);
        Assert.Equal(4, front.Grants.MappedPages);

        backend.Disconnect();
        Assert.Equal(0, front.Grants.MappedPages);
        Assert.False(backend.Connected);
        Assert.Equal(0, backend.Service());

        var again = new TestBlockFrontend();
        Assert.Null(backend.Connect(again.Link));
        var page = again.Grants.Grant();
        again.Send(again.ReadWrite(OpRead, 1, 0, (page, 0, 7)));
        Assert.Equal(1, backend.Service());
        Assert.Equal(Okay, again.TakeOnlyResponse().Status);
    }

    [Fact]
    public void Connect_without_a_protocol_key_uses_the_64_bit_layout()
    {
        var front = new TestBlockFrontend();
        front.Keys.Remove("protocol");
        var backend = Open();

        Assert.Null(backend.Connect(front.Link));
        Assert.Equal(BlkifLayout.X86_64, backend.Layout);
    }

    internal static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private BlockBackend Open(BlockBackendOptions? options = null, bool readOnly = false)
    {
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(_file.Path, readOnly, out var image));
        return Track(new BlockBackend(image!, options));
    }

    private (BlockBackend Backend, TestBlockFrontend Front) Connected(
        GuestAbi abi = GuestAbi.X86_64, int order = 0, BlockBackendOptions? options = null)
    {
        var backend = Open(options);
        var front = new TestBlockFrontend(abi, order);
        Assert.Null(backend.Connect(front.Link));
        return (backend, front);
    }

    private BlockBackend Track(BlockBackend backend)
    {
        _backends.Add(backend);
        return backend;
    }
}
