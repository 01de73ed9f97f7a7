using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

/// <summary>
/// Everything a front-end can get wrong on its rings is refused, answered and counted, the ring
/// stays in step (the next good packet goes through), and nothing throws.
/// </summary>
public sealed class NetBackendHostileTests
{
    private readonly VirtualSwitch _bridge = new("xenbr0");
    private readonly TestVif _a;
    private readonly TestVif _b;

    public NetBackendHostileTests()
    {
        _a = new TestVif(_bridge, Frames.A);
        _b = new TestVif(_bridge, Frames.B);
    }

    private TestNetFrontend Fe => _a.Frontend;

    private NetBackend Be => _a.Backend;

    /// <summary>A good packet after the bad one must still be sent: the ring is in step.</summary>
    private void AssertRingStillWorks()
    {
        _b.Receive();
        var frame = Frames.Raw(Frames.B, Frames.A, 64, 77);
        var ids = _a.Send(frame);
        Assert.Contains((ids[0], NetifStatus.Okay), Fe.TakeTxResponses());
        Assert.Equal(frame, Assert.Single(_b.Receive()).Data);
    }

    private uint DataPage(byte[] frame, int offset = 0)
    {
        var page = new byte[4096];
        frame.AsSpan(0, Math.Min(frame.Length, 4096 - offset)).CopyTo(page.AsSpan(offset));
        return Fe.Grants.Grant(page, readOnly: true);
    }

    [Fact]
    public void A_producer_moved_backwards_is_refused_and_nothing_is_read()
    {
        _a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        Fe.TakeTxResponses();
        _b.Receive();

        Fe.SetTxProducer(0); // behind the back-end's consumer (1)
        Assert.Equal(0, Be.Service());

        Assert.Equal(1, Be.Net.Errors(NetRingError.ProducerBackwards));
        Assert.Empty(Fe.TakeTxResponses());
        Assert.Empty(_b.Receive());
        Fe.SetTxProducer(1);
        AssertRingStillWorks();
    }

    [Fact]
    public void A_producer_more_than_a_ring_ahead_is_refused()
    {
        Fe.SetTxProducer((uint)NetifLayout.TxRingEntries + 1);
        Assert.Equal(0, Be.Service());

        Assert.Equal(1, Be.Net.Errors(NetRingError.ProducerTooFarAhead));
        Assert.Empty(Fe.TakeTxResponses());
        Assert.Equal(1, Be.Counters.Errors);
        Fe.SetTxProducer(0);
        AssertRingStillWorks();
    }

    [Fact]
    public void A_full_ring_of_requests_is_served_but_one_more_than_the_ring_is_refused()
    {
        for (var i = 0; i < NetifLayout.TxRingEntries; i++)
        {
            Fe.QueueTx(Frames.Raw(Frames.B, Frames.A, 64, (byte)i));
        }
        Fe.PushTx();
        Be.Service();
        Assert.Equal(NetifLayout.TxRingEntries, Fe.TakeTxResponses().Count(r => r.Status == NetifStatus.Okay));
        Assert.Equal(64, _b.Receive().Count); // 64 rx buffers posted; the rest wait in the queue
        Assert.Equal(NetifLayout.TxRingEntries - 64, _b.Backend.QueuedFrames);

        Fe.SetTxProducer(Fe.TxProducer + (uint)NetifLayout.TxRingEntries + 1);
        Be.Service();
        Assert.Equal(1, Be.Net.Errors(NetRingError.ProducerTooFarAhead));
    }

    [Fact]
    public void A_zero_length_packet_and_one_shorter_than_an_ethernet_header_are_answered_with_errors()
    {
        var gref = DataPage(new byte[64]);
        Fe.AppendTxRequest(gref, 0, NetTxFlags.None, 40, 0);
        Fe.AppendTxRequest(gref, 0, NetTxFlags.None, 41, 13);
        Fe.PushTx();
        Be.Service();

        Assert.Equal([(40, NetifStatus.Error), (41, NetifStatus.Error)], Fe.TakeTxResponses().Select(r => ((int)r.Id, r.Status)));
        Assert.Equal(2, Be.Net.Errors(NetRingError.PacketTooShort));
        Assert.Equal(2, Be.Net.TxDropped);
        Assert.Equal(0, Be.Net.TxPackets);
        AssertRingStillWorks();
    }

    [Fact]
    public void A_packet_larger_than_the_vifs_largest_frame_is_dropped_with_errors_on_all_its_slots()
    {
        var small = new TestVif(_bridge, Frames.C, new NetBackendOptions { MaxFrameBytes = 1514 });
        var ids = small.Send(Frames.Raw(Frames.B, Frames.C, 1515), slotBytes: 1000);

        Assert.Equal(ids.Select(id => (id, NetifStatus.Error)), small.Frontend.TakeTxResponses());
        Assert.Equal(1, small.Backend.Net.Errors(NetRingError.PacketTooLarge));
        Assert.Empty(_b.Receive());
        small.Send(Frames.Raw(Frames.B, Frames.C, 1514));
        Assert.Single(_b.Receive());
    }

    [Fact]
    public void Fragments_adding_up_to_more_than_the_declared_total_are_refused()
    {
        var frame = Frames.Raw(Frames.B, Frames.A, 4096);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.MoreData, 1, 3000);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.MoreData, 2, 2000);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.None, 3, 2000);
        Fe.PushTx();
        Be.Service();

        Assert.All(Fe.TakeTxResponses(), r => Assert.Equal(NetifStatus.Error, r.Status));
        Assert.Equal(1, Be.Net.Errors(NetRingError.FragmentsExceedTotal));
        AssertRingStillWorks();
    }

    [Fact]
    public void A_packet_in_more_slots_than_allowed_is_refused_but_eighteen_are_accepted()
    {
        var frame = Frames.Raw(Frames.B, Frames.A, 19 * 100);
        var ids = _a.Send(frame, slotBytes: 100);
        Assert.Equal(19, ids.Count);
        Assert.Equal(ids.Select(id => (id, NetifStatus.Error)), Fe.TakeTxResponses());
        Assert.Equal(1, Be.Net.Errors(NetRingError.TooManySlots));
        Assert.Empty(_b.Receive());

        var ok = Frames.Raw(Frames.B, Frames.A, 18 * 100);
        Assert.Equal(18, _a.Send(ok, slotBytes: 100).Count);
        Assert.All(Fe.TakeTxResponses(), r => Assert.Equal(NetifStatus.Okay, r.Status));
        Assert.Equal(ok, Assert.Single(_b.Receive()).Data);
    }

    [Fact]
    public void A_fragment_chain_that_never_ends_is_refused_once_it_fills_the_ring()
    {
        var gref = DataPage(new byte[100]);
        for (var i = 0; i < NetifLayout.TxRingEntries; i++)
        {
            Fe.AppendTxRequest(gref, 0, NetTxFlags.MoreData, (ushort)i, (ushort)(i == 0 ? 60000 : 10));
        }
        Fe.PushTx();
        Be.Service();

        Assert.Equal(NetifLayout.TxRingEntries, Fe.TakeTxResponses().Count(r => r.Status == NetifStatus.Error));
        Assert.Equal(1, Be.Net.Errors(NetRingError.PacketLongerThanRing));
        AssertRingStillWorks();
    }

    [Fact]
    public void A_packet_whose_last_slots_are_not_yet_published_waits_for_them()
    {
        var frame = Frames.Raw(Frames.B, Frames.A, 3000);
        Fe.QueueTx(frame, slotBytes: 1000);
        var full = Fe.TxProducer;
        Fe.SetTxProducer(full - 1);
        Be.Service();
        Assert.Empty(Fe.TakeTxResponses());

        Fe.SetTxProducer(full);
        Be.Service();
        Assert.Equal(3, Fe.TakeTxResponses().Count(r => r.Status == NetifStatus.Okay));
        Assert.Equal(frame, Assert.Single(_b.Receive()).Data);
        Assert.Equal(0, Be.Counters.Errors);
    }

    [Fact]
    public void Bad_grant_references_are_answered_with_errors_unknown_revoked_and_beyond_the_table()
    {
        var frame = Frames.Raw(Frames.B, Frames.A, 64);
        var revoked = DataPage(frame);
        Fe.Grants.Revoke(revoked);
        Fe.AppendTxRequest(revoked, 0, NetTxFlags.None, 1, 64);
        Fe.AppendTxRequest(999_999, 0, NetTxFlags.None, 2, 64);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.MoreData, 3, 128);
        Fe.AppendTxRequest(123_456, 0, NetTxFlags.None, 4, 64); // second fragment bad
        Fe.PushTx();
        Be.Service();

        Assert.Equal([(1, NetifStatus.Error), (2, NetifStatus.Error), (3, NetifStatus.Error), (4, NetifStatus.Error)],
            Fe.TakeTxResponses().Select(r => ((int)r.Id, r.Status)));
        Assert.Equal(3, Be.Net.Errors(NetRingError.BadGrant));
        Assert.Empty(_b.Receive());
        AssertRingStillWorks();
    }

    [Fact]
    public void A_fragment_running_past_its_page_end_is_refused_before_any_copy()
    {
        var frame = Frames.Raw(Frames.B, Frames.A, 200);
        Fe.AppendTxRequest(DataPage(frame, 4000), 4000, NetTxFlags.None, 1, 200);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.MoreData, 2, 200);
        Fe.AppendTxRequest(DataPage(frame), 4090, NetTxFlags.None, 3, 100);
        Fe.PushTx();
        Be.Service();

        Assert.All(Fe.TakeTxResponses(), r => Assert.Equal(NetifStatus.Error, r.Status));
        Assert.Equal(2, Be.Net.Errors(NetRingError.FragmentPastPageEnd));
        AssertRingStillWorks();
    }

    [Fact]
    public void A_gso_request_is_refused_because_no_gso_was_advertised_and_its_extra_slot_gets_a_null_response()
    {
        var frame = Frames.Raw(Frames.B, Frames.A, 1000);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.ExtraInfo, 7, 1000);
        Fe.AppendTxExtra(NetExtraType.Gso, 0, gsoSize: 1448, gsoType: 1);
        Fe.PushTx();
        Be.Service();

        Assert.Equal([(7, NetifStatus.Error), (0, NetifStatus.Null)], Fe.TakeTxResponses().Select(r => ((int)r.Id, r.Status)));
        Assert.Equal(1, Be.Net.Errors(NetRingError.GsoNotSupported));
        AssertRingStillWorks();
    }

    [Fact]
    public void Multicast_filter_extras_are_accepted_and_unknown_extra_types_refused()
    {
        var frame = Frames.Raw(Frames.B, Frames.A, 100, 5);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.ExtraInfo, 8, 100);
        Fe.AppendTxExtra(NetExtraType.MulticastAdd, NetifLayout.ExtraFlagMore);
        Fe.AppendTxExtra(NetExtraType.MulticastDel, 0);
        Fe.AppendTxRequest(DataPage(frame), 0, NetTxFlags.ExtraInfo, 9, 100);
        Fe.AppendTxExtra((NetExtraType)9, 0);
        Fe.PushTx();
        Be.Service();

        Assert.Equal([(8, NetifStatus.Okay), (0, NetifStatus.Null), (0, NetifStatus.Null), (9, NetifStatus.Error), (0, NetifStatus.Null)],
            Fe.TakeTxResponses().Select(r => ((int)r.Id, r.Status)));
        Assert.Equal(frame, Assert.Single(_b.Receive()).Data);
        Assert.Equal(1, Be.Net.Errors(NetRingError.BadExtraInfo));
    }

    [Fact]
    public void A_blank_checksum_on_a_packet_that_is_not_tcp_or_udp_is_refused()
    {
        _a.Send(Frames.ArpRequest(Frames.A, 1, 2), NetTxFlags.ChecksumBlank);

        Assert.Equal(NetifStatus.Error, Assert.Single(Fe.TakeTxResponses()).Status);
        Assert.Equal(1, Be.Net.Errors(NetRingError.ChecksumNotCompletable));
        Assert.Empty(_b.Receive());
    }

    [Fact]
    public void An_rx_buffer_granted_read_only_or_not_at_all_gets_an_error_status_and_the_next_buffer_is_used()
    {
        var c = new TestVif(_bridge, Frames.C, rxBuffers: 0);
        c.Frontend.PostRxBuffers(1, readOnly: true);
        c.Frontend.PostRxBuffer(55_555);
        c.Frontend.PostRxBuffers(1);
        for (var i = 0; i < 3; i++)
        {
            _a.Send(Frames.Raw(Frames.C, Frames.A, 64, (byte)i));
        }

        var got = c.Receive();

        Assert.Equal([true, true, false], got.Select(p => p.Failed));
        Assert.Equal(2, c.Backend.Net.Errors(NetRingError.BadGrant));
        Assert.Equal(1, c.Backend.Net.RxPackets);
    }

    [Fact]
    public void An_rx_producer_moved_backwards_or_too_far_is_refused_and_frames_stay_queued()
    {
        _b.Frontend.SetRxProducer(uint.MaxValue - 3);
        _a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        Assert.Empty(_b.Receive());
        Assert.Equal(1, _b.Backend.Net.Errors(NetRingError.ProducerBackwards));
        _b.Frontend.SetRxProducer(64 + (uint)NetifLayout.RxRingEntries + 1);
        Assert.Empty(_b.Receive());
        Assert.Equal(1, _b.Backend.Net.Errors(NetRingError.ProducerTooFarAhead));
        Assert.Equal(1, _b.Backend.QueuedFrames);

        _b.Frontend.SetRxProducer(64);
        Assert.Single(_b.Receive());
    }

    [Fact]
    public void Garbage_in_every_tx_slot_never_throws_and_every_slot_read_is_answered()
    {
        var random = new Random(12);
        var answered = 0;
        for (var round = 0; round < 50; round++)
        {
            random.NextBytes(Fe.TxRing.AsSpan(64));
            // Publish garbage into every free slot a front-end may fill (never more than a ring outstanding).
            var free = NetifLayout.TxRingEntries - ((int)Fe.TxProducer - answered);
            Fe.SetTxProducer(Fe.TxProducer + (uint)random.Next(1, free + 1));
            Be.Service();
            answered += Fe.TakeTxResponses().Count;
            // Only the slots of a packet still waiting for its last fragment may stay unanswered, never a full ring.
            Assert.InRange((int)Fe.TxProducer - answered, 0, NetifLayout.TxRingEntries - 1);
        }
        Assert.True(Be.Net.TotalErrors > 0);
        Assert.Equal(0, Be.Net.Errors(NetRingError.ProducerTooFarAhead) + Be.Net.Errors(NetRingError.ProducerBackwards));
    }
}
