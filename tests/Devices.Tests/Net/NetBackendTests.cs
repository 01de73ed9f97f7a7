using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

public sealed class NetBackendTests
{
    private readonly VirtualSwitch _bridge = new("xenbr0");

    [Fact]
    public void The_backend_advertises_copying_rx_scatter_gather_and_checksum_offload_but_no_gso_or_multi_queue()
    {
        var backend = new NetBackend(Frames.A);
        var keys = backend.AdvertisedKeys.ToDictionary(k => k.Key, k => k.Value);
        Assert.Equal(DeviceClass.Vif, backend.Class);
        Assert.Equal("1", keys["feature-rx-copy"]);
        Assert.Equal("0", keys["feature-rx-flip"]);
        Assert.Equal("1", keys["feature-sg"]);
        Assert.Equal("0", keys["feature-gso-tcpv4"]);
        Assert.Equal("0", keys["feature-gso-tcpv6"]);
        Assert.Equal("1", keys["feature-ipv6-csum-offload"]);
        Assert.Equal("0", keys["feature-multicast-control"]);
        Assert.Equal("00:16:3e:00:01:00", keys["mac"]);
        Assert.False(keys.ContainsKey("multi-queue-max-queues"));
    }

    [Fact]
    public void Connect_refuses_a_frontend_that_does_not_request_rx_copy()
    {
        var frontend = new TestNetFrontend();
        frontend.Keys.Remove("request-rx-copy");
        var backend = new NetBackend(Frames.A);
        Assert.Contains("request-rx-copy", backend.Connect(frontend.Link), StringComparison.Ordinal);
        frontend.Keys["request-rx-copy"] = "0";
        Assert.NotNull(backend.Connect(frontend.Link));
        Assert.False(backend.IsConnected);
        Assert.Equal(0, frontend.Grants.MappedPages);
    }

    [Fact]
    public void Connect_refuses_missing_or_garbled_ring_refs_missing_channels_and_several_queues()
    {
        var backend = new NetBackend(Frames.A);
        var frontend = new TestNetFrontend();
        frontend.Keys.Remove("tx-ring-ref");
        Assert.Contains("tx-ring-ref", backend.Connect(frontend.Link), StringComparison.Ordinal);
        frontend = new TestNetFrontend();
        frontend.Keys["rx-ring-ref"] = "-3";
        Assert.Contains("rx-ring-ref", backend.Connect(frontend.Link), StringComparison.Ordinal);
        frontend = new TestNetFrontend();
        frontend.Channels.Clear();
        Assert.Contains("event-channel", backend.Connect(frontend.Link), StringComparison.Ordinal);
        frontend = new TestNetFrontend();
        frontend.Keys["multi-queue-num-queues"] = "2";
        Assert.Contains("queues", backend.Connect(frontend.Link), StringComparison.Ordinal);
        Assert.False(backend.IsConnected);
    }

    [Fact]
    public void Connect_refuses_a_ring_the_frontend_granted_read_only_and_releases_the_other()
    {
        var backend = new NetBackend(Frames.A);
        var frontend = new TestNetFrontend();
        var readOnlyRing = frontend.Grants.Grant(readOnly: true);
        frontend.Keys["rx-ring-ref"] = readOnlyRing.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("ReadOnly", backend.Connect(frontend.Link), StringComparison.Ordinal);
        Assert.Equal(0, frontend.Grants.MappedPages);
    }

    [Fact]
    public void Connect_maps_both_rings_and_disconnect_unmaps_them()
    {
        var backend = new NetBackend(Frames.A);
        var frontend = new TestNetFrontend();
        Assert.Null(backend.Connect(frontend.Link));
        Assert.Equal(2, frontend.Grants.MappedPages);
        Assert.NotNull(backend.Connect(frontend.Link));
        backend.Disconnect();
        Assert.Equal(0, frontend.Grants.MappedPages);
        Assert.Equal(0, backend.Service());
        Assert.Null(backend.Connect(frontend.Link));
    }

    [Fact]
    public void Two_vifs_exchange_an_arp_broadcast_and_a_unicast_reply_through_the_switch()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        var arp = Frames.ArpRequest(Frames.A, 0x0A000001, 0x0A000002);

        var ids = a.Send(arp);

        Assert.Equal([(ids[0], NetifStatus.Okay)], a.Frontend.TakeTxResponses());
        Assert.Equal(1, b.ServiceRequests);
        var atB = Assert.Single(b.Receive());
        Assert.Equal(arp, atB.Data);
        Assert.False(atB.Failed);
        Assert.Empty(a.Receive());

        var reply = Frames.Raw(Frames.A, Frames.B, 60);
        b.Send(reply);
        var atA = Assert.Single(a.Receive());
        Assert.Equal(reply, atA.Data);
        Assert.Equal(NetRxFlags.None, atA.Flags);

        Assert.Equal(1, a.Backend.Net.TxPackets);
        Assert.Equal(arp.Length, a.Backend.Net.TxBytes);
        Assert.Equal(1, a.Backend.Net.RxPackets);
        Assert.Equal(60, a.Backend.Net.RxBytes);
        Assert.Equal(2, a.Backend.Counters.Requests);
        Assert.Equal(0, a.Backend.Counters.Errors + b.Backend.Counters.Errors);
        Assert.True(a.Frontend.TxChannel.Notifications > 0);
        Assert.True(b.Frontend.RxChannel.Notifications > 0);
    }

    [Fact]
    public void A_packet_in_several_fragments_at_an_offset_arrives_whole()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        var frame = Frames.Raw(Frames.B, Frames.A, 3000, seed: 9);

        var ids = a.Send(frame, slotBytes: 1000, firstOffset: 3500);

        Assert.Equal(4, ids.Count); // 596 bytes to the first page's end, then 1000, 1000, 404
        Assert.Equal(ids.Select(id => (id, NetifStatus.Okay)), a.Frontend.TakeTxResponses());
        var got = Assert.Single(b.Receive());
        Assert.Equal(frame, got.Data);
        Assert.Equal(1, got.Slots);
    }

    [Fact]
    public void A_jumbo_frame_fills_several_rx_buffers_with_more_data_for_a_scatter_gather_frontend()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        var frame = Frames.Raw(Frames.B, Frames.A, 9000);

        a.Send(frame);

        var got = Assert.Single(b.Receive());
        Assert.Equal(frame, got.Data);
        Assert.Equal(3, got.Slots);
    }

    [Fact]
    public void A_frame_larger_than_one_buffer_is_dropped_and_counted_for_a_frontend_without_scatter_gather()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B, scatterGather: false);

        a.Send(Frames.Raw(Frames.B, Frames.A, 5000));
        a.Send(Frames.Raw(Frames.B, Frames.A, 1500));

        var got = Assert.Single(b.Receive());
        Assert.Equal(1500, got.Data.Length);
        Assert.Equal(1, b.Backend.Net.RxDroppedTooLarge);
    }

    [Fact]
    public void A_udp_packet_with_a_blank_checksum_arrives_with_a_correct_checksum_and_data_validated()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        var packet = Frames.Udp4(Frames.B, Frames.A, 0x0A000001, 0x0A000002, 333, blankChecksum: true);
        Assert.False(Frames.TransportChecksumVerifies(packet));

        a.Send(packet, NetTxFlags.ChecksumBlank, slotBytes: 100);

        var got = Assert.Single(b.Receive());
        Assert.True(Frames.TransportChecksumVerifies(got.Data));
        Assert.Equal(NetRxFlags.DataValidated, got.Flags);
        Assert.Equal(packet.AsSpan(0, 40).ToArray(), got.Data.AsSpan(0, 40).ToArray()); // headers up to the checksum unchanged
        Assert.Equal(packet.AsSpan(42).ToArray(), got.Data.AsSpan(42).ToArray());
    }

    [Fact]
    public void A_tcp_over_ipv6_segment_with_a_blank_checksum_is_completed_whatever_the_field_held()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);

        a.Send(Frames.Tcp6Blank(Frames.B, Frames.A, 1201), NetTxFlags.ChecksumBlank);

        var got = Assert.Single(b.Receive());
        Assert.True(Frames.TransportChecksumVerifies(got.Data));
        Assert.Equal(NetRxFlags.DataValidated, got.Flags);
    }

    [Fact]
    public void A_correct_checksum_without_flags_passes_unchanged_and_unvalidated()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        var packet = Frames.Udp4(Frames.B, Frames.A, 1, 2, 50, blankChecksum: false);
        Assert.True(Frames.TransportChecksumVerifies(packet));

        a.Send(packet);

        var got = Assert.Single(b.Receive());
        Assert.Equal(packet, got.Data);
        Assert.Equal(NetRxFlags.None, got.Flags);
    }

    [Fact]
    public void The_second_unicast_goes_only_to_the_learned_port()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        var c = new TestVif(_bridge, Frames.C);

        a.Send(Frames.Raw(Frames.B, Frames.A, 100, 1)); // B unknown: flooded to B and C
        Assert.Single(b.Receive());
        Assert.Single(c.Receive());

        b.Send(Frames.Raw(Frames.A, Frames.B, 100, 2)); // A learned from the first frame: only A
        Assert.Single(a.Receive());
        Assert.Empty(c.Receive());

        a.Send(Frames.Raw(Frames.B, Frames.A, 100, 3)); // B now learned: only B
        Assert.Single(b.Receive());
        Assert.Empty(c.Receive());
        Assert.Equal(1, _bridge.Flooded);
        Assert.Equal(2, _bridge.Forwarded);
    }

    [Fact]
    public void Frames_wait_while_no_rx_buffers_are_posted_then_the_queue_overflows_and_drops_are_counted()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B, new NetBackendOptions { RxQueueFrames = 4 }, rxBuffers: 0);

        for (var i = 0; i < 6; i++)
        {
            a.Send(Frames.Raw(Frames.B, Frames.A, 64, (byte)i));
        }

        Assert.Empty(b.Receive());
        Assert.Equal(4, b.Backend.QueuedFrames);
        Assert.Equal(2, b.Backend.Net.RxDroppedQueueFull);
        Assert.Equal(6, a.Backend.Net.TxPackets);

        b.Frontend.PostRxBuffers(2);
        var first = b.Receive();
        Assert.Equal([0, 1], first.Select(p => (int)(byte)(p.Data[14] - 14 * 7)));
        Assert.Equal(2, b.Backend.QueuedFrames);
        b.Frontend.PostRxBuffers(8);
        Assert.Equal(2, b.Receive().Count);
        Assert.Equal(4, b.Backend.Net.RxPackets);
    }

    [Fact]
    public void A_frame_for_a_vif_without_a_frontend_is_dropped_and_counted()
    {
        var a = new TestVif(_bridge, Frames.A);
        var idle = new NetBackend(Frames.B);
        idle.Plug(_bridge);

        a.Send(Frames.Raw(Frames.B, Frames.A, 64));

        Assert.Equal(1, idle.Net.RxDroppedNotConnected);
        Assert.Equal(0, idle.QueuedFrames);
    }

    [Fact]
    public void Split_event_channels_carry_tx_and_rx_notifications_separately()
    {
        var frontend = new TestNetFrontend(splitChannels: true);
        var backend = new NetBackend(Frames.B);
        Assert.Null(backend.Connect(frontend.Link));
        backend.Plug(_bridge);
        frontend.PostRxBuffers(4);
        var a = new TestVif(_bridge, Frames.A);

        a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        backend.Service();
        Assert.Equal(0, frontend.TxChannel.Notifications);
        Assert.Equal(1, frontend.RxChannel.Notifications);

        frontend.QueueTx(Frames.Raw(Frames.A, Frames.B, 64));
        frontend.PushTx();
        backend.Service();
        Assert.Equal(1, frontend.TxChannel.Notifications);
        Assert.Single(frontend.TakeRxPackets());
    }

    [Fact]
    public void The_backend_notifies_only_when_the_frontend_asked_for_it()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        Assert.Equal(1, a.Frontend.TxChannel.Notifications);

        // The front-end has not consumed the first response, so rsp_event still says "notify at 1".
        a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        Assert.Equal(1, a.Frontend.TxChannel.Notifications);
        Assert.Equal(2, a.Frontend.TakeTxResponses().Count);
        a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        Assert.Equal(2, a.Frontend.TxChannel.Notifications);
    }

    [Fact]
    public void A_reconnecting_frontend_keeps_its_ring_indices()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        a.Send(Frames.Raw(Frames.B, Frames.A, 64));
        a.Frontend.TakeTxResponses();
        a.Backend.Disconnect();
        Assert.Null(a.Backend.Connect(a.Frontend.Link));

        var ids = a.Send(Frames.Raw(Frames.B, Frames.A, 64));

        Assert.Equal([(ids[0], NetifStatus.Okay)], a.Frontend.TakeTxResponses());
        Assert.Equal(3, b.Receive().Count);
    }

    [Fact]
    public void The_capture_records_what_the_guest_sent_and_what_it_received()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        using var file = new MemoryStream();
        a.Backend.Capture = new PcapWriter(file, new FixedClock(DateTimeOffset.UnixEpoch.AddSeconds(100)), leaveOpen: true);
        var sent = Frames.Raw(Frames.B, Frames.A, 80, 1);
        var received = Frames.Raw(Frames.A, Frames.B, 90, 2);

        a.Send(sent);
        b.Receive();
        b.Send(received);
        a.Receive();
        a.Backend.Capture.Flush();

        var packets = PcapReader.Read(file.ToArray()).Packets;
        Assert.Equal([sent, received], packets.Select(p => p.Data));
    }
}
