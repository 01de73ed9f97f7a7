using System.Text;
using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

public class StoreConnectionTests
{
    private readonly XenStore _store = WithGuests();
    private readonly GuestRingClient _guest = new();
    private readonly StoreConnection _connection;

    public StoreConnectionTests()
    {
        _connection = new StoreConnection(_store, Guest);
    }

    private (XsHeader Header, string Text) Ask(XsMessageType type, uint requestId, uint tx, params string[] args)
    {
        _guest.Send(type, requestId, tx, args);
        Assert.True(_connection.Service(_guest.Page));
        var replies = _guest.Receive();
        var reply = Assert.Single(replies);
        return (reply.Header, GuestRingClient.Text(reply.Payload));
    }

    [Fact]
    public void Write_then_read_over_the_ring_echoes_the_request_id()
    {
        var write = XsHeader.Message(XsMessageType.Write, 77, 0, [.. Encoding.ASCII.GetBytes("name\0"), .. Encoding.ASCII.GetBytes("guest-one")]);
        _guest.Send(write);
        _connection.Service(_guest.Page);
        var ok = Assert.Single(_guest.Receive());
        Assert.Equal(((uint)XsMessageType.Write, 77u, "OK\0"), (ok.Header.Type, ok.Header.RequestId, GuestRingClient.Text(ok.Payload)));

        var read = Ask(XsMessageType.Read, 78, 0, "name");

        Assert.Equal((uint)XsMessageType.Read, read.Header.Type);
        Assert.Equal(78u, read.Header.RequestId);
        Assert.Equal("guest-one", read.Text);
        Assert.Equal(StoreRing.FeatureErrorField, StoreRing.Get(_guest.Page, StoreRing.ServerFeaturesOffset));
    }

    [Fact]
    public void Errors_come_back_as_ERROR_with_the_errno_name()
    {
        var reply = Ask(XsMessageType.Read, 5, 0, "/tool");

        Assert.Equal((uint)XsMessageType.Error, reply.Header.Type);
        Assert.Equal(5u, reply.Header.RequestId);
        Assert.Equal("EACCES\0", reply.Text);
        Assert.Equal("ENOENT\0", Ask(XsMessageType.Read, 6, 0, "missing").Text);
        Assert.Equal("EINVAL\0", Ask(XsMessageType.Read, 7, 0, "/bad//path").Text);
    }

    [Fact]
    public void Directory_and_get_perms_replies_are_NUL_separated_lists()
    {
        _store.WriteString(Guest, "d/a", "1");
        _store.WriteString(Guest, "d/b", "2");

        Assert.Equal("a\0b\0", Ask(XsMessageType.Directory, 1, 0, "d").Text);
        Assert.Equal("n1\0", Ask(XsMessageType.GetPerms, 2, 0, "d").Text);
        Assert.Equal("OK\0", Ask(XsMessageType.SetPerms, 3, 0, "d", "n1", "r2").Text);
        Assert.Equal("n1\0r2\0", Ask(XsMessageType.GetPerms, 4, 0, "d").Text);
        Assert.Equal("/local/domain/7\0", Ask(XsMessageType.GetDomainPath, 5, 0, "7").Text);
    }

    [Fact]
    public void A_transaction_over_the_wire_carries_its_id_in_the_header()
    {
        var start = Ask(XsMessageType.TransactionStart, 1, 0, "");
        uint tx = uint.Parse(start.Text.TrimEnd('\0'), System.Globalization.CultureInfo.InvariantCulture);

        var nested = Ask(XsMessageType.TransactionStart, 2, tx, "");
        Ask(XsMessageType.Mkdir, 3, tx, "in-tx");
        var end = Ask(XsMessageType.TransactionEnd, 4, tx, "T");

        Assert.Equal("EBUSY\0", nested.Text);
        Assert.Equal(tx, end.Header.TransactionId);
        Assert.Equal("OK\0", end.Text);
        Assert.Equal(StoreError.None, _store.Read(Guest, 0, "in-tx", out _));
    }

    [Fact]
    public void A_watch_reply_is_followed_by_its_first_event_and_later_events_arrive_on_service()
    {
        _guest.Send(XsMessageType.Watch, 9, 0, "control/shutdown", "tok");
        _connection.Service(_guest.Page);
        var messages = _guest.Receive();

        Assert.Equal(2, messages.Count);
        Assert.Equal((uint)XsMessageType.Watch, messages[0].Header.Type);
        Assert.Equal((uint)XsMessageType.WatchEvent, messages[1].Header.Type);
        Assert.Equal("control/shutdown\0tok\0", GuestRingClient.Text(messages[1].Payload));

        _store.WriteString(Dom0, "/local/domain/1/control/shutdown", "poweroff");
        Assert.True(_connection.Service(_guest.Page));
        var fired = Assert.Single(_guest.Receive());
        Assert.Equal("control/shutdown\0tok\0", GuestRingClient.Text(fired.Payload));
        Assert.Equal(0u, fired.Header.RequestId);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1000u)]
    [InlineData(uint.MaxValue - 40)]
    public void Messages_crossing_the_ring_wrap_and_index_overflow_are_read_and_answered(uint start)
    {
        _guest.StartIndicesAt(start);

        for (int i = 0; i < 200; i++)
        {
            string value = new('v', i % 97);
            _guest.Send(XsHeader.Message(XsMessageType.Write, (uint)i, 0, Encoding.ASCII.GetBytes($"k{i % 7}\0{value}")));
            _connection.Service(_guest.Page);
            var written = Assert.Single(_guest.Receive());
            Assert.Equal(((uint)XsMessageType.Write, (uint)i), (written.Header.Type, written.Header.RequestId));

            Assert.Equal(value, Ask(XsMessageType.Read, (uint)i, 0, $"k{i % 7}").Text);
        }
    }

    [Fact]
    public void A_request_sent_in_pieces_is_answered_once_complete()
    {
        var message = XsHeader.Message(XsMessageType.Mkdir, 3, 0, XsHeader.Strings("piecewise"));

        _guest.Send(message.AsSpan(0, 10));
        _connection.Service(_guest.Page);
        Assert.Empty(_guest.Receive());
        _guest.Send(message.AsSpan(10, 5));
        _connection.Service(_guest.Page);
        Assert.Empty(_guest.Receive());
        _guest.Send(message.AsSpan(15));
        _connection.Service(_guest.Page);

        Assert.Equal("OK\0", GuestRingClient.Text(Assert.Single(_guest.Receive()).Payload));
    }

    [Fact]
    public void A_large_reply_is_delivered_in_pieces_as_the_guest_consumes()
    {
        var big = new string('x', 2000);
        _store.WriteString(Guest, "big", big);
        _guest.Send(XsMessageType.Read, 1, 0, "big");

        _connection.Service(_guest.Page);
        Assert.Empty(_guest.Receive());
        uint produced = StoreRing.Get(_guest.Page, StoreRing.ResponseProducerOffset);
        Assert.Equal((uint)StoreRing.RingBytes, produced);
        _guest.ResponseConsumer = produced;

        Assert.True(_connection.Service(_guest.Page));
        Assert.Equal(16u + 2000u, StoreRing.Get(_guest.Page, StoreRing.ResponseProducerOffset));
    }

    [Fact]
    public void A_guest_that_never_reads_replies_stops_being_served_instead_of_growing_host_memory()
    {
        _store.WriteString(Guest, "big", new string('x', 2000));
        for (int round = 0; round < 200; round++)
        {
            _guest.Send(XsHeader.Message(XsMessageType.Read, (uint)round, 0, XsHeader.Strings("big")));
            _connection.Service(_guest.Page);
        }

        uint consumed = StoreRing.Get(_guest.Page, StoreRing.RequestConsumerOffset);
        Assert.True(_guest.RequestProducer - consumed > 0, "the store kept reading requests it could not answer");
        Assert.False(_connection.IsClosed);
    }

    [Fact]
    public void A_payload_longer_than_4096_bytes_closes_the_connection_with_the_protocol_error()
    {
        var header = XsHeader.Message(XsMessageType.Write, 1, 0, []);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), 4097);
        _guest.Send(header);

        Assert.True(_connection.Service(_guest.Page));

        Assert.True(_connection.IsClosed);
        Assert.Equal(StoreRing.ErrorProtocol, StoreRing.Get(_guest.Page, StoreRing.ErrorOffset));
        Assert.False(_connection.Service(_guest.Page));
    }

    [Fact]
    public void Request_indices_more_than_a_ring_apart_close_the_connection()
    {
        _guest.RequestProducer = 5000;

        _connection.Service(_guest.Page);

        Assert.True(_connection.IsClosed);
        Assert.Equal(StoreRing.ErrorBadRingIndex, StoreRing.Get(_guest.Page, StoreRing.ErrorOffset));
    }

    [Theory]
    [InlineData(XsMessageType.Read, "no-terminator")]
    [InlineData(XsMessageType.Watch, "only-path\0")]
    [InlineData(XsMessageType.Write, "\0value")]
    [InlineData(XsMessageType.TransactionEnd, "X\0")]
    [InlineData(XsMessageType.GetDomainPath, "abc\0")]
    [InlineData(XsMessageType.Error, "x\0")]
    [InlineData(XsMessageType.WatchEvent, "a\0b\0")]
    [InlineData((XsMessageType)999, "")]
    public void Malformed_requests_get_EINVAL(XsMessageType type, string payload)
    {
        _guest.Send(XsHeader.Message(type, 4, 0, Encoding.ASCII.GetBytes(payload)));
        _connection.Service(_guest.Page);

        var reply = Assert.Single(_guest.Receive());

        Assert.Equal((uint)XsMessageType.Error, reply.Header.Type);
        Assert.Equal("EINVAL\0", GuestRingClient.Text(reply.Payload));
    }

    [Fact]
    public void Introduce_from_a_guest_is_EACCES_and_unimplemented_types_are_ENOSYS()
    {
        Assert.Equal("EACCES\0", Ask(XsMessageType.Introduce, 1, 0, "5", "1234", "3").Text);
        Assert.Equal("ENOSYS\0", Ask(XsMessageType.SetQuota, 2, 0, "x").Text);
    }

    [Fact]
    public void Random_request_bytes_never_throw_and_never_break_the_ring_invariants()
    {
        var random = new Random(99);
        for (int i = 0; i < 3000 && !_connection.IsClosed; i++)
        {
            var payload = new byte[random.Next(0, 60)];
            random.NextBytes(payload);
            if (payload.Length > 0 && random.Next(3) == 0)
            {
                payload[^1] = 0;
            }

            var type = (XsMessageType)random.Next(0, 28);
            _guest.Send(XsHeader.Message(type, (uint)i, (uint)random.Next(0, 3), payload));
            _connection.Service(_guest.Page);
            foreach (var (header, _) in _guest.Receive())
            {
                Assert.True(header.Type == (uint)type || header.Type is (uint)XsMessageType.Error or (uint)XsMessageType.WatchEvent);
            }

            uint cons = StoreRing.Get(_guest.Page, StoreRing.RequestConsumerOffset);
            Assert.True(_guest.RequestProducer - cons <= StoreRing.RingBytes);
        }

        Assert.False(_connection.IsClosed);
        Assert.True(_connection.RequestsHandled > 2000);
    }

    [Fact]
    public void A_connection_restored_mid_message_finishes_the_request_and_the_reply()
    {
        _store.WriteString(Guest, "big", new string('y', 600));
        _guest.Send(XsMessageType.Read, 1, 0, "big");
        _guest.Send(XsMessageType.Read, 2, 0, "big");
        var mkdir = XsHeader.Message(XsMessageType.Mkdir, 3, 0, XsHeader.Strings("later"));
        _guest.Send(mkdir.AsSpan(0, 9));
        _connection.Service(_guest.Page);

        var state = _connection.Capture();
        var restored = StoreConnection.Restore(_store, Guest, state);

        Assert.Equal(9, state.PartialRequest.Length);
        Assert.Equal(1024 - 616, state.FirstReplyBytesWritten);
        var replies = new List<(XsHeader Header, byte[] Payload)>();
        replies.AddRange(_guest.Receive());
        restored.Service(_guest.Page);
        replies.AddRange(_guest.Receive());
        _guest.Send(mkdir.AsSpan(9));
        restored.Service(_guest.Page);
        replies.AddRange(_guest.Receive());
        Assert.Equal([1u, 2u, 3u], replies.Select(r => r.Header.RequestId));
        Assert.Equal(600, replies[1].Payload.Length);
        Assert.Equal(StoreError.None, _store.Read(Guest, 0, "later", out _));
    }

    [Fact]
    public void Inconsistent_connection_state_is_refused()
    {
        var state = _connection.Capture() with { FirstReplyBytesWritten = 5 };

        var refused = Assert.Throws<SnapshotFormatException>(() => StoreConnection.Restore(_store, Guest, state));
        Assert.Contains("offsets", refused.Message, StringComparison.Ordinal);
    }
}
