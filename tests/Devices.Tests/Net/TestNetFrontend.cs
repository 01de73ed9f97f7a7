using System.Buffers.Binary;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Net;
using ActorVisor.Devices.Rings;

namespace ActorVisor.Devices.Tests.Net;

/// <summary>
/// A netif front-end in test memory that lays out its rings exactly as io/netif.h says (and as
/// Linux's netfront does): it grants a tx and an rx ring page, initialises both shared rings,
/// writes its XenStore keys, puts packets on the tx ring slot by slot, posts rx buffers and reads
/// the back-end's responses. Hostile tests use the raw slot writers to say things a correct
/// front-end never would.
/// </summary>
public sealed class TestNetFrontend
{
    private readonly Dictionary<ushort, uint> _rxBufferById = [];
    private uint _txProducer;
    private uint _txResponseConsumer;
    private uint _rxProducer;
    private uint _rxResponseConsumer;
    private ushort _nextTxId;
    private ushort _nextRxId;

    public TestNetFrontend(bool scatterGather = true, bool splitChannels = false)
    {
        TxRingRef = Grants.Grant();
        RxRingRef = Grants.Grant();
        new SharedRingHeader(TxRing).Initialise();
        new SharedRingHeader(RxRing).Initialise();
        Keys["tx-ring-ref"] = TxRingRef.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Keys["rx-ring-ref"] = RxRingRef.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Keys["request-rx-copy"] = "1";
        Keys["feature-rx-notify"] = "1";
        Keys["feature-sg"] = scatterGather ? "1" : "0";
        if (splitChannels)
        {
            Keys["event-channel-tx"] = "5";
            Keys["event-channel-rx"] = "6";
            Channels["event-channel-tx"] = TxChannel;
            Channels["event-channel-rx"] = RxChannel;
        }
        else
        {
            Keys["event-channel"] = "5";
            Channels["event-channel"] = TxChannel;
            RxChannel = TxChannel;
        }
    }

    public TestGrants Grants { get; } = new();

    public uint TxRingRef { get; }

    public uint RxRingRef { get; }

    public byte[] TxRing => Grants.Page(TxRingRef);

    public byte[] RxRing => Grants.Page(RxRingRef);

    public TestChannel TxChannel { get; } = new(5);

    public TestChannel RxChannel { get; } = new(6);

    /// <summary>The front-end's XenStore keys (null or missing reads as absent).</summary>
    public Dictionary<string, string?> Keys { get; } = [];

    public Dictionary<string, IFrontendChannel> Channels { get; } = [];

    public FrontendLink Link => new(1, key => Keys.GetValueOrDefault(key), Grants, Channels);

    /// <summary>Where the front-end's tx request producer stands (private until <see cref="PushTx"/>).</summary>
    public uint TxProducer => _txProducer;

    // ---- tx ----

    /// <summary>Writes a tx request into ring slot <paramref name="index"/> (free-running), as netif_tx_request lays it out.</summary>
    public void WriteTxRequest(uint index, uint gref, ushort offset, NetTxFlags flags, ushort id, ushort size)
    {
        var e = TxRing.AsSpan(NetifLayout.TxEntry(index), NetifLayout.TxEntryBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(e, gref);
        BinaryPrimitives.WriteUInt16LittleEndian(e[4..], offset);
        BinaryPrimitives.WriteUInt16LittleEndian(e[6..], (ushort)flags);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], id);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], size);
    }

    /// <summary>Writes an extra-info segment (type, flags, GSO size/type) into tx slot <paramref name="index"/>.</summary>
    public void WriteTxExtra(uint index, NetExtraType type, byte flags, ushort gsoSize = 0, byte gsoType = 0)
    {
        var e = TxRing.AsSpan(NetifLayout.TxEntry(index), NetifLayout.TxEntryBytes);
        e.Clear();
        e[0] = (byte)type;
        e[1] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(e[2..], gsoSize);
        e[4] = gsoType;
    }

    /// <summary>Appends a raw request at the private producer (no checks, for hostile tests).</summary>
    public void AppendTxRequest(uint gref, ushort offset, NetTxFlags flags, ushort id, ushort size) =>
        WriteTxRequest(_txProducer++, gref, offset, flags, id, size);

    public void AppendTxExtra(NetExtraType type, byte flags, ushort gsoSize = 0, byte gsoType = 0) =>
        WriteTxExtra(_txProducer++, type, flags, gsoSize, gsoType);

    /// <summary>
    /// Queues <paramref name="frame"/> as netfront does: the data split into slots of at most
    /// <paramref name="slotBytes"/> (never across a page), each in its own read-only granted page
    /// at <paramref name="firstOffset"/> for the first slot and 0 after; the first slot's size is the
    /// whole packet. Returns the ids used, first slot first. Call <see cref="PushTx"/> to publish.
    /// </summary>
    public List<ushort> QueueTx(byte[] frame, NetTxFlags flags = NetTxFlags.None, int slotBytes = 4096, int firstOffset = 0)
    {
        var ids = new List<ushort>();
        var at = 0;
        var slot = 0;
        do
        {
            var offset = slot == 0 ? firstOffset : 0;
            var bytes = Math.Min(Math.Min(slotBytes, NetifLayout.PageBytes - offset), frame.Length - at);
            var page = new byte[NetifLayout.PageBytes];
            frame.AsSpan(at, bytes).CopyTo(page.AsSpan(offset));
            var gref = Grants.Grant(page, readOnly: true);
            at += bytes;
            var slotFlags = (slot == 0 ? flags : NetTxFlags.None) | (at < frame.Length ? NetTxFlags.MoreData : NetTxFlags.None);
            var id = _nextTxId++;
            ids.Add(id);
            AppendTxRequest(gref, (ushort)offset, slotFlags, id, (ushort)(slot == 0 ? frame.Length : bytes));
            slot++;
        }
        while (at < frame.Length);
        return ids;
    }

    /// <summary>Publishes the private tx producer (RING_PUSH_REQUESTS); true when the back-end asked to be notified.</summary>
    public bool PushTx() => Push(TxRing, _txProducer);

    /// <summary>Publishes an arbitrary tx producer (for hostile tests).</summary>
    public void SetTxProducer(uint value)
    {
        _txProducer = value;
        new SharedRingHeader(TxRing).RequestProducer = value;
    }

    /// <summary>Reads the tx responses the back-end published and asks to be notified of the next one.</summary>
    public List<(ushort Id, NetifStatus Status)> TakeTxResponses()
    {
        var header = new SharedRingHeader(TxRing);
        var list = new List<(ushort, NetifStatus)>();
        var producer = header.ResponseProducer;
        for (; _txResponseConsumer != producer; _txResponseConsumer++)
        {
            var e = TxRing.AsSpan(NetifLayout.TxEntry(_txResponseConsumer));
            list.Add((BinaryPrimitives.ReadUInt16LittleEndian(e), (NetifStatus)BinaryPrimitives.ReadInt16LittleEndian(e[2..])));
        }
        header.ResponseEvent = _txResponseConsumer + 1;
        return list;
    }

    // ---- rx ----

    /// <summary>Grants <paramref name="count"/> writable pages and posts them as rx requests, then publishes.</summary>
    public void PostRxBuffers(int count, bool readOnly = false)
    {
        for (var i = 0; i < count; i++)
        {
            var gref = Grants.Grant(readOnly);
            PostRxBuffer(gref);
        }
        Push(RxRing, _rxProducer);
    }

    /// <summary>Posts one rx request naming <paramref name="gref"/> (not published).</summary>
    public void PostRxBuffer(uint gref)
    {
        var id = _nextRxId++;
        _rxBufferById[id] = gref;
        var e = RxRing.AsSpan(NetifLayout.RxEntry(_rxProducer++), NetifLayout.RxEntryBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(e, id);
        BinaryPrimitives.WriteUInt16LittleEndian(e[2..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(e[4..], gref);
    }

    public void SetRxProducer(uint value)
    {
        _rxProducer = value;
        new SharedRingHeader(RxRing).RequestProducer = value;
    }

    /// <summary>
    /// Reads the rx responses and joins the slots of each packet (NETRXF_more_data), taking the
    /// data from the buffer each response's id names at its offset, as netfront does.
    /// </summary>
    public List<ReceivedPacket> TakeRxPackets()
    {
        var header = new SharedRingHeader(RxRing);
        var packets = new List<ReceivedPacket>();
        var producer = header.ResponseProducer;
        List<byte>? data = null;
        var flags = NetRxFlags.None;
        var failed = false;
        var slots = 0;
        for (; _rxResponseConsumer != producer; _rxResponseConsumer++)
        {
            var e = RxRing.AsSpan(NetifLayout.RxEntry(_rxResponseConsumer));
            var id = BinaryPrimitives.ReadUInt16LittleEndian(e);
            var offset = BinaryPrimitives.ReadUInt16LittleEndian(e[2..]);
            var slotFlags = (NetRxFlags)BinaryPrimitives.ReadUInt16LittleEndian(e[4..]);
            var status = BinaryPrimitives.ReadInt16LittleEndian(e[6..]);
            if (data is null)
            {
                data = [];
                flags = slotFlags;
                failed = false;
                slots = 0;
            }
            slots++;
            if (status < 0 || offset + status > NetifLayout.PageBytes)
            {
                failed = true;
            }
            else
            {
                data.AddRange(Grants.Page(_rxBufferById[id]).AsSpan(offset, status).ToArray());
            }
            if ((slotFlags & NetRxFlags.MoreData) == 0)
            {
                packets.Add(new ReceivedPacket([.. data], flags & ~NetRxFlags.MoreData, failed, slots));
                data = null;
            }
        }
        header.ResponseEvent = _rxResponseConsumer + 1;
        return packets;
    }

    private static bool Push(byte[] ring, uint producer)
    {
        var header = new SharedRingHeader(ring);
        var old = header.RequestProducer;
        header.RequestProducer = producer;
        return RingNotification.ShouldNotify(old, producer, header.RequestEvent);
    }
}

/// <summary>One packet as the front-end received it: its bytes, the first slot's flags, whether any slot had an error status.</summary>
public sealed record ReceivedPacket(byte[] Data, NetRxFlags Flags, bool Failed, int Slots);
