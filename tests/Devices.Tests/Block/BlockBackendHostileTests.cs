using ActorVisor.Devices.Block;
using Xunit;
using static ActorVisor.Devices.Tests.Block.TestBlockFrontend;

namespace ActorVisor.Devices.Tests.Block;

/// <summary>What a hostile front-end can put on the ring (issue 12, item 6): each is refused or answered BLKIF_RSP_ERROR, and counted.</summary>
public sealed class BlockBackendHostileTests : IDisposable
{
    private const long DiskSectors = 256;

    private readonly TempImage _file = new(DiskSectors * 512);
    private readonly BlockBackend _backend;
    private readonly TestBlockFrontend _front;

    public BlockBackendHostileTests()
    {
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(_file.Path, readOnly: false, out var image));
        _backend = new BlockBackend(image!);
        _front = new TestBlockFrontend();
        Assert.Null(_backend.Connect(_front.Link));
    }

    public void Dispose()
    {
        _backend.Dispose();
        _file.Dispose();
    }

    [Fact]
    public void Request_producer_moved_backwards_is_refused_without_consuming_or_answering()
    {
        var page = _front.Grants.Grant();
        _front.Send(_front.ReadWrite(OpRead, 1, 0, (page, 0, 0)));
        _front.Send(_front.ReadWrite(OpRead, 2, 0, (page, 0, 0)));
        Assert.Equal(2, _backend.Service());
        _front.TakeResponses();
        var notified = _front.Channel.Notifications;

        _front.RequestProducer = 1;
        Assert.Equal(0, _backend.Service());

        Assert.Equal(2u, _front.ResponseProducer);
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.RingProducerOverran));
        Assert.Equal(1, _backend.Counters.Errors);
        Assert.Equal(notified, _front.Channel.Notifications);
    }

    [Fact]
    public void Request_producer_more_than_a_ring_ahead_is_refused_and_a_full_ring_is_not()
    {
        var page = _front.Grants.Grant();
        for (var i = 0; i < _front.RingSize; i++)
        {
            _front.Queue(_front.ReadWrite(OpRead, (ulong)i, 0, (page, 0, 0)));
        }

        // One more than the ring holds (its slot aliases request 0).
        _front.RequestProducer = _front.RingSize + 1;
        Assert.Equal(0, _backend.Service());
        Assert.Equal(0u, _front.ResponseProducer);
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.RingProducerOverran));

        // The front-end comes to its senses: exactly a ring's worth is served.
        _front.RequestProducer = _front.RingSize;
        Assert.Equal((int)_front.RingSize, _backend.Service());
        Assert.Equal((int)_front.RingSize, _front.TakeResponses().Count(r => r.Status == Okay));
    }

    [Fact]
    public void Request_producer_far_ahead_is_refused_at_once_not_looped_over()
    {
        _front.RequestProducer = 0x8000_0000;
        Assert.Equal(0, _backend.Service());
        Assert.Equal(0, _backend.Service());

        Assert.Equal(2, _backend.ErrorCount(BlockRequestError.RingProducerOverran));
        Assert.Equal(0u, _front.ResponseProducer);
        Assert.Equal(0, _front.Channel.Notifications);
    }

    [Theory]
    [InlineData(OpRead, 0)]
    [InlineData(OpWrite, 0)]
    [InlineData(OpRead, 12)]
    [InlineData(OpWrite, 255)]
    [InlineData(OpFlushDiskCache, 12)]
    public void Segment_count_of_zero_for_data_or_past_eleven_is_an_error(byte operation, byte count)
    {
        var page = _front.Grants.Grant();
        var entry = _front.ReadWrite(operation, 5, 0, (page, 0, 7));
        _front.Send(_front.WithSegmentCount(entry, count));
        _backend.Service();

        Assert.Equal(new Response(5, operation, Error), _front.TakeOnlyResponse());
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.SegmentCountInvalid));
        Assert.Equal(1, _backend.Counters.Errors);
    }

    [Theory]
    [InlineData(DiskSectors - 7, 0, 7)]
    [InlineData(DiskSectors, 0, 0)]
    [InlineData(ulong.MaxValue - 2, 0, 7)]
    [InlineData(0x0080_0000_0000_0000UL, 0, 0)]
    public void Sectors_past_the_end_of_the_disk_are_an_error(ulong sector, byte first, byte last)
    {
        var page = _front.Grants.Grant();
        _front.Send(_front.ReadWrite(OpRead, 6, sector, (page, first, last)));
        _front.Send(_front.ReadWrite(OpWrite, 7, sector, (page, first, last)));
        _backend.Service();

        Assert.All(_front.TakeResponses(), r => Assert.Equal(Error, r.Status));
        Assert.Equal(2, _backend.ErrorCount(BlockRequestError.SectorsBeyondDisk));
    }

    [Fact]
    public void The_last_sectors_of_the_disk_are_still_reachable()
    {
        var page = _front.Grants.Grant();
        _front.Send(_front.ReadWrite(OpRead, 6, DiskSectors - 8, (page, 0, 7)));
        _backend.Service();

        Assert.Equal(Okay, _front.TakeOnlyResponse().Status);
    }

    [Theory]
    [InlineData(5, 4)]
    [InlineData(0, 8)]
    [InlineData(8, 8)]
    [InlineData(255, 255)]
    public void Segment_with_first_after_last_or_past_the_page_is_an_error(byte first, byte last)
    {
        var page = _front.Grants.Grant();
        var good = _front.Grants.Grant();
        _front.Send(_front.ReadWrite(OpRead, 8, 0, (good, 0, 7), (page, first, last)));
        _backend.Service();

        Assert.Equal(Error, _front.TakeOnlyResponse().Status);
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.SegmentSectorsInvalid));
        Assert.Equal(new byte[4096], _front.Grants.Page(good));
    }

    [Fact]
    public void Bad_grant_references_are_an_error_and_a_failed_write_leaves_the_disk_untouched()
    {
        var good = _front.Grants.Grant(BlockBackendTests.Pattern(4096, 1), readOnly: true);
        var revoked = _front.Grants.Grant();
        _front.Grants.Revoke(revoked);

        _front.Queue(_front.ReadWrite(OpRead, 1, 0, (9999, 0, 7)));
        _front.Queue(_front.ReadWrite(OpRead, 2, 0, (revoked, 0, 7)));
        _front.Queue(_front.ReadWrite(OpWrite, 3, 0, (good, 0, 7), (9999, 0, 7)));
        _front.Push();
        _backend.Service();

        Assert.Equal([Error, Error, Error], _front.TakeResponses().Select(r => r.Status));
        Assert.Equal(3, _backend.ErrorCount(BlockRequestError.BadGrant));
        Assert.Equal(new byte[8192], _file.ReadBytes(0, 8192));
    }

    [Fact]
    public void Read_into_a_read_only_grant_is_an_error_and_the_page_is_not_written()
    {
        _file.WriteBytes(0, BlockBackendTests.Pattern(4096, 2));
        var readOnlyPage = _front.Grants.Grant(readOnly: true);

        _front.Send(_front.ReadWrite(OpRead, 9, 0, (readOnlyPage, 0, 7)));
        _backend.Service();

        Assert.Equal(new Response(9, OpRead, Error), _front.TakeOnlyResponse());
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.BadGrant));
        Assert.Equal(new byte[4096], _front.Grants.Page(readOnlyPage));
    }

    [Theory]
    [InlineData(257)]
    [InlineData(0)]
    [InlineData(4096)]
    [InlineData(65535)]
    public void Indirect_segment_count_past_the_advertised_limit_or_zero_is_an_error(int count)
    {
        var data = _front.Grants.Grant();
        var segments = Enumerable.Repeat((data, (byte)0, (byte)0), 512).ToList();
        var pages = Enumerable.Range(0, 8).Select(_ => _front.GrantIndirectPage(segments)).ToArray();

        _front.Send(_front.Indirect(OpRead, 10, 0, (ushort)count, pages));
        _backend.Service();

        Assert.Equal(new Response(10, OpRead, Error), _front.TakeOnlyResponse());
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.SegmentCountInvalid));
    }

    [Fact]
    public void Indirect_page_that_is_not_granted_or_describes_bad_segments_is_an_error()
    {
        var data = _front.Grants.Grant();
        var bad = _front.GrantIndirectPage([(data, 0, 7), (data, 6, 2)]);

        _front.Queue(_front.Indirect(OpRead, 11, 0, 12, 4242));
        _front.Queue(_front.Indirect(OpRead, 12, 0, 2, bad));
        _front.Push();
        _backend.Service();

        Assert.Equal([new(11, OpRead, Error), new(12, OpRead, Error)], _front.TakeResponses());
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.BadGrant));
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.SegmentSectorsInvalid));
    }

    [Theory]
    [InlineData(OpFlushDiskCache)]
    [InlineData(OpDiscard)]
    [InlineData(OpIndirect)]
    [InlineData(77)]
    public void Indirect_request_whose_inner_operation_is_not_read_or_write_is_an_error(byte inner)
    {
        var data = _front.Grants.Grant();
        var page = _front.GrantIndirectPage([(data, 0, 7)]);
        _front.Send(_front.Indirect(inner, 13, 0, 1, page));
        _backend.Service();

        Assert.Equal(new Response(13, inner, Error), _front.TakeOnlyResponse());
        Assert.Equal(1, _backend.ErrorCount(BlockRequestError.IndirectOperationInvalid));
    }

    [Fact]
    public void Discard_past_the_end_is_an_error_and_changes_nothing()
    {
        _file.WriteBytes((DiskSectors - 1) * 512, BlockBackendTests.Pattern(512, 4));
        _front.Queue(_front.Discard(1, DiskSectors - 1, 2));
        _front.Queue(_front.Discard(2, 1, ulong.MaxValue));
        _front.Push();
        _backend.Service();

        Assert.Equal([Error, Error], _front.TakeResponses().Select(r => r.Status));
        Assert.Equal(2, _backend.ErrorCount(BlockRequestError.SectorsBeyondDisk));
        Assert.Equal(BlockBackendTests.Pattern(512, 4), _file.ReadBytes((DiskSectors - 1) * 512, 512));
    }

    [Fact]
    public void A_request_rewritten_by_the_guest_after_it_was_consumed_does_not_change_its_answer()
    {
        var page = _front.Grants.Grant();
        _front.Send(_front.ReadWrite(OpRead, 14, 0, (page, 0, 7)));
        _backend.Service();

        // The guest scribbles a hostile request over the slot it already handed over: nothing happens.
        _front.Queue(_front.ReadWrite(OpWrite, 15, 0, (9999, 0, 7)));
        Assert.Equal(0, _backend.Service());
        Assert.Equal(new Response(14, OpRead, Okay), _front.TakeOnlyResponse());
    }

    [Theory]
    [InlineData("protocol", "x86_16-abi")]
    [InlineData("ring-ref", null)]
    [InlineData("ring-ref", "-1")]
    [InlineData("ring-ref", "4242")]
    [InlineData("ring-page-order", "5")]
    [InlineData("ring-page-order", "two")]
    [InlineData("event-channel", null)]
    [InlineData("event-channel", "port")]
    [InlineData("multi-queue-num-queues", "2")]
    public void Connect_refuses_bad_frontend_keys_and_maps_nothing(string key, string? value)
    {
        var backend = NewBackend();
        var front = new TestBlockFrontend();
        front.Keys[key] = value;

        var refusal = backend.Connect(front.Link);

        Assert.NotNull(refusal);
        Assert.Contains(key == "ring-ref" && value == "4242" ? "4242" : key, refusal);
        Assert.False(backend.Connected);
        Assert.Equal(0, front.Grants.MappedPages);
    }

    [Fact]
    public void Connect_refuses_a_multi_page_ring_with_one_page_not_granted_and_releases_the_others()
    {
        var backend = NewBackend();
        var front = new TestBlockFrontend(ringPageOrder: 2);
        front.Grants.Revoke(front.RingRefs[3]);

        Assert.Contains("ring page 3", backend.Connect(front.Link));
        Assert.Equal(0, front.Grants.MappedPages);
    }

    [Fact]
    public void Connect_refuses_a_read_only_ring_page()
    {
        var backend = NewBackend();
        var grants = new TestGrants();
        var front = new TestBlockFrontend(grants: grants);
        front.Keys["ring-ref"] = grants.Grant(readOnly: true).ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Contains("ReadOnly", backend.Connect(front.Link));
    }

    private BlockBackend NewBackend()
    {
        _backend.Disconnect();
        return _backend;
    }
}
