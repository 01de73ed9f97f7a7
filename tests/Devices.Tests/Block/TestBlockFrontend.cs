using System.Buffers.Binary;
using ActorVisor.Devices.Backends;
using Xunit;

namespace ActorVisor.Devices.Tests.Block;

/// <summary>The guest ABI whose request layout a test front-end writes.</summary>
public enum GuestAbi
{
    X86_64,
    X86_32,
}

/// <summary>
/// A blkif front-end written for the tests from io/blkif.h and io/ring.h, independently of the
/// back-end's own layout table: it grants its ring pages through <see cref="TestGrants"/>, lays out
/// requests byte by byte as the header's structures are laid out on x86_64 (u64 8-aligned) or i386
/// (u64 4-aligned), publishes them with RING_PUSH_REQUESTS_AND_CHECK_NOTIFY and reads the responses
/// back with RING_FINAL_CHECK_FOR_RESPONSES.
/// </summary>
public sealed class TestBlockFrontend
{
    public const byte OpRead = 0;
    public const byte OpWrite = 1;
    public const byte OpWriteBarrier = 2;
    public const byte OpFlushDiskCache = 3;
    public const byte OpDiscard = 5;
    public const byte OpIndirect = 6;

    public const short Okay = 0;
    public const short Error = -1;
    public const short NotSupported = -2;

    private readonly byte[][] _pages;
    private uint _requestProducer;
    private uint _responseConsumer;

    public TestBlockFrontend(GuestAbi abi = GuestAbi.X86_64, int ringPageOrder = 0, TestGrants? grants = null)
    {
        Abi = abi;
        Grants = grants ?? new TestGrants();
        EntryBytes = abi == GuestAbi.X86_64 ? 112 : 108;
        var pageCount = 1 << ringPageOrder;
        _pages = new byte[pageCount][];
        RingRefs = new uint[pageCount];
        for (var i = 0; i < pageCount; i++)
        {
            _pages[i] = new byte[4096];
            RingRefs[i] = Grants.Grant(_pages[i]);
        }

        // __RING_SIZE: the entries that fit after the 64-byte header, rounded down to a power of two.
        var fit = (pageCount * 4096 - 64) / EntryBytes;
        RingSize = 1u << (31 - int.LeadingZeroCount(fit));

        // SHARED_RING_INIT
        SetHeader(0, 0);
        SetHeader(4, 1);
        SetHeader(8, 0);
        SetHeader(12, 1);

        Keys["event-channel"] = "17";
        Keys["protocol"] = abi == GuestAbi.X86_64 ? "x86_64-abi" : "x86_32-abi";
        if (pageCount == 1)
        {
            Keys["ring-ref"] = RingRefs[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            Keys["ring-page-order"] = ringPageOrder.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < pageCount; i++)
            {
                Keys[$"ring-ref{i}"] = RingRefs[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    public GuestAbi Abi { get; }

    public TestGrants Grants { get; }

    public TestChannel Channel { get; } = new(17);

    public int EntryBytes { get; }

    public uint RingSize { get; }

    public uint[] RingRefs { get; }

    /// <summary>The front-end's XenStore directory as the back-end reads it (null removes a key).</summary>
    public Dictionary<string, string?> Keys { get; } = [];

    /// <summary>Notifications the front-end sent to the back-end (RING_PUSH_REQUESTS_AND_CHECK_NOTIFY said so).</summary>
    public int NotificationsSent { get; private set; }

    public FrontendLink Link => new(
        FrontendDomain: 1,
        ReadKey: key => Keys.GetValueOrDefault(key),
        Grants,
        new Dictionary<string, IFrontendChannel> { ["event-channel"] = Channel });

    public uint RequestProducer
    {
        get => Header(0);
        set => SetHeader(0, value);
    }

    public uint RequestEvent => Header(4);

    public uint ResponseProducer => Header(8);

    public uint ResponseEvent
    {
        get => Header(12);
        set => SetHeader(12, value);
    }

    public uint PrivateRequestProducer => _requestProducer;

    /// <summary>A read or write (also a flush or barrier) with direct segments, as struct blkif_request.</summary>
    public byte[] ReadWrite(byte operation, ulong id, ulong sector, params (uint Gref, byte First, byte Last)[] segments)
    {
        var entry = new byte[EntryBytes];
        entry[0] = operation;
        entry[1] = (byte)segments.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(2), 0x0300);
        var (idAt, sectorAt, segAt) = Abi == GuestAbi.X86_64 ? (8, 16, 24) : (4, 12, 20);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(idAt), id);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(sectorAt), sector);
        for (var i = 0; i < segments.Length && i < 11; i++)
        {
            WriteSegment(entry.AsSpan(segAt + 8 * i), segments[i]);
        }

        return entry;
    }

    /// <summary>A request with a raw nr_segments byte (for hostile counts past 11).</summary>
    public byte[] WithSegmentCount(byte[] entry, byte count)
    {
        entry[1] = count;
        return entry;
    }

    /// <summary>struct blkif_request_discard.</summary>
    public byte[] Discard(ulong id, ulong sector, ulong sectorCount)
    {
        var entry = new byte[EntryBytes];
        entry[0] = OpDiscard;
        var (idAt, sectorAt, countAt) = Abi == GuestAbi.X86_64 ? (8, 16, 24) : (4, 12, 20);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(idAt), id);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(sectorAt), sector);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(countAt), sectorCount);
        return entry;
    }

    /// <summary>struct blkif_request_indirect naming <paramref name="indirectGrefs"/> pages of segment descriptors.</summary>
    public byte[] Indirect(byte innerOperation, ulong id, ulong sector, ushort segmentCount, params uint[] indirectGrefs)
    {
        var entry = new byte[EntryBytes];
        entry[0] = OpIndirect;
        entry[1] = innerOperation;
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(2), segmentCount);
        var (idAt, sectorAt, handleAt, grefsAt) = Abi == GuestAbi.X86_64 ? (8, 16, 24, 28) : (4, 12, 20, 24);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(idAt), id);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(sectorAt), sector);
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(handleAt), 0x0300);
        for (var i = 0; i < indirectGrefs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(grefsAt + 4 * i), indirectGrefs[i]);
        }

        return entry;
    }

    /// <summary>Grants a page holding <paramref name="segments"/> as an array of blkif_request_segment.</summary>
    public uint GrantIndirectPage(IReadOnlyList<(uint Gref, byte First, byte Last)> segments)
    {
        var page = new byte[4096];
        for (var i = 0; i < segments.Count; i++)
        {
            WriteSegment(page.AsSpan(8 * i), segments[i]);
        }

        return Grants.Grant(page, readOnly: true);
    }

    /// <summary>Puts a request at req_prod_pvt (not yet visible).</summary>
    public void Queue(byte[] entry)
    {
        WriteRing(64 + (int)(_requestProducer & (RingSize - 1)) * EntryBytes, entry);
        _requestProducer++;
    }

    /// <summary>RING_PUSH_REQUESTS_AND_CHECK_NOTIFY; counts the notification it asks for.</summary>
    public bool Push()
    {
        var old = RequestProducer;
        var now = _requestProducer;
        RequestProducer = now;
        var notify = unchecked(now - RequestEvent) < unchecked(now - old);
        if (notify)
        {
            NotificationsSent++;
        }

        return notify;
    }

    /// <summary>Queues and pushes one request.</summary>
    public void Send(byte[] entry)
    {
        Queue(entry);
        Push();
    }

    /// <summary>Takes every response up to rsp_prod, then sets rsp_event as RING_FINAL_CHECK_FOR_RESPONSES does.</summary>
    public List<Response> TakeResponses(bool rearm = true)
    {
        var responses = new List<Response>();
        var producer = ResponseProducer;
        var entry = new byte[16];
        while (_responseConsumer != producer)
        {
            ReadRing(64 + (int)(_responseConsumer & (RingSize - 1)) * EntryBytes, entry);
            responses.Add(new Response(
                BinaryPrimitives.ReadUInt64LittleEndian(entry),
                entry[8],
                BinaryPrimitives.ReadInt16LittleEndian(entry.AsSpan(10))));
            _responseConsumer++;
        }

        if (rearm)
        {
            ResponseEvent = unchecked(_responseConsumer + 1);
        }

        return responses;
    }

    /// <summary>The single response to the single request just sent.</summary>
    public Response TakeOnlyResponse() => Assert.Single(TakeResponses());

    private static void WriteSegment(Span<byte> at, (uint Gref, byte First, byte Last) segment)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(at, segment.Gref);
        at[4] = segment.First;
        at[5] = segment.Last;
    }

    private void WriteRing(int offset, ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            _pages[(offset + i) / 4096][(offset + i) % 4096] = bytes[i];
        }
    }

    private void ReadRing(int offset, Span<byte> bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = _pages[(offset + i) / 4096][(offset + i) % 4096];
        }
    }

    private uint Header(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_pages[0].AsSpan(offset));

    private void SetHeader(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_pages[0].AsSpan(offset), value);

    public readonly record struct Response(ulong Id, byte Operation, short Status);
}
