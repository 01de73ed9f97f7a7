using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Rings;

namespace ActorVisor.Devices.Block;

/// <summary>
/// The back end of a blkif shared ring laid over one or more granted pages (a multi-page ring is
/// the pages' bytes end to end: the 64-byte header in page 0, entries from offset 64 on, an entry
/// free to straddle a page boundary). It keeps the back end's private indices (req_cons,
/// rsp_prod_pvt) and touches the shared page only through single volatile reads and writes of the
/// header fields and copies of whole entries, so what the guest changes concurrently is seen at most
/// once per read.
/// </summary>
/// <remarks>
/// Invariants: the back end answers every request it consumes before consuming the next, so
/// <see cref="RequestConsumer"/> equals <see cref="ResponseProducer"/> between requests; a response
/// is published (<see cref="Answer"/>) in the step that writes it, so the shared rsp_prod always
/// equals the private one between requests and every request past the shared rsp_prod is still
/// intact in its slot (a restarted back-end takes them again, <see cref="ResumeAtSharedResponses"/>);
/// a request producer further than <see cref="Size"/> ahead of the responses (or behind them) is
/// the front end's error (RING_REQUEST_PROD_OVERFLOW), never a reason to read outside the ring.
/// </remarks>
internal sealed class BlockRing : IDisposable
{
    private const int RequestProducerOffset = 0;
    private const int RequestEventOffset = 4;
    private const int ResponseProducerOffset = 8;
    private const int ResponseEventOffset = 12;

    private readonly IGrantedPage[] _pages;
    private uint _pushedResponses;

    public BlockRing(IGrantedPage[] pages, BlkifLayout layout)
    {
        _pages = pages;
        Layout = layout;
        Size = (uint)SharedRingHeader.EntryCount(pages.Length * BlkifProtocol.PageBytes, layout.EntryBytes);
    }

    public BlkifLayout Layout { get; }

    /// <summary>Entries in the ring (a power of two).</summary>
    public uint Size { get; }

    public int PageCount => _pages.Length;

    public uint RequestConsumer { get; private set; }

    public uint ResponseProducer { get; private set; }

    /// <summary>The front end's req_prod, read once.</summary>
    public uint ReadRequestProducer() => Volatile.Read(ref Field(RequestProducerOffset));

    /// <summary>True if <paramref name="producer"/> claims more requests than the ring can hold, or lies behind what was answered.</summary>
    public bool ProducerOverflows(uint producer) => unchecked(producer - ResponseProducer) > Size;

    /// <summary>Copies the request at req_cons into <paramref name="entry"/> (one entry's bytes) and advances req_cons.</summary>
    public void TakeRequest(Span<byte> entry)
    {
        var offset = EntryOffset(RequestConsumer);
        var remaining = entry[..Layout.EntryBytes];
        while (!remaining.IsEmpty)
        {
            var page = _pages[offset / BlkifProtocol.PageBytes].Bytes;
            var within = offset % BlkifProtocol.PageBytes;
            var count = Math.Min(BlkifProtocol.PageBytes - within, remaining.Length);
            page.Slice(within, count).CopyTo(remaining);
            remaining = remaining[count..];
            offset += count;
        }

        RequestConsumer++;
    }

    /// <summary>Requests published and not yet taken (0 when the producer overflows).</summary>
    public uint PendingRequests()
    {
        var producer = ReadRequestProducer();
        return ProducerOverflows(producer) ? 0 : unchecked(producer - RequestConsumer);
    }

    /// <summary>Requests published and not answered yet, taken or not (the ring's size when the producer overflows).</summary>
    public uint UnansweredRequests()
    {
        var producer = ReadRequestProducer();
        return ProducerOverflows(producer) ? Size : unchecked(producer - ResponseProducer);
    }

    /// <summary>Gives back the request last taken (it stays in its slot, unanswered, to be taken again).</summary>
    public void Untake() => RequestConsumer--;

    /// <summary>
    /// Forgets the private indices and starts where the shared ring says the answers end: req_cons
    /// and rsp_prod_pvt at the shared rsp_prod (the back end's own last publication). Requests past
    /// it are taken again. Returns that index.
    /// </summary>
    public uint ResumeAtSharedResponses()
    {
        var published = Volatile.Read(ref Field(ResponseProducerOffset));
        RequestConsumer = published;
        ResponseProducer = published;
        _pushedResponses = published;
        return published;
    }

    /// <summary>Writes the response to the request last taken and publishes it at once; true if the front end asked to be notified.</summary>
    public bool Answer(ulong id, byte operation, short status)
    {
        PutResponse(id, operation, status);
        return PushResponses();
    }

    /// <summary>Puts a response into the slot at rsp_prod_pvt (not yet visible to the front end).</summary>
    private void PutResponse(ulong id, byte operation, short status)
    {
        Span<byte> response = stackalloc byte[16];
        response.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(response[BlkifLayout.ResponseIdOffset..], id);
        response[BlkifLayout.ResponseOperationOffset] = operation;
        BinaryPrimitives.WriteInt16LittleEndian(response[BlkifLayout.ResponseStatusOffset..], status);
        response = response[..Layout.ResponseBytes];

        var offset = EntryOffset(ResponseProducer);
        while (!response.IsEmpty)
        {
            var page = _pages[offset / BlkifProtocol.PageBytes].Bytes;
            var within = offset % BlkifProtocol.PageBytes;
            var count = Math.Min(BlkifProtocol.PageBytes - within, response.Length);
            response[..count].CopyTo(page.Slice(within, count));
            response = response[count..];
            offset += count;
        }

        ResponseProducer++;
    }

    /// <summary>
    /// RING_PUSH_RESPONSES_AND_CHECK_NOTIFY: publishes rsp_prod after the responses, then reads
    /// rsp_event; true if the front end asked to be notified of a response in what was just pushed.
    /// The old producer is the back end's own record of what it last published, not the shared
    /// field the guest could have rewritten.
    /// </summary>
    private bool PushResponses()
    {
        var old = _pushedResponses;
        var now = ResponseProducer;
        if (old == now)
        {
            return false;
        }

        Volatile.Write(ref Field(ResponseProducerOffset), now);
        _pushedResponses = now;
        Interlocked.MemoryBarrier();
        var responseEvent = Volatile.Read(ref Field(ResponseEventOffset));
        return RingNotification.ShouldNotify(old, now, responseEvent);
    }

    /// <summary>
    /// RING_FINAL_CHECK_FOR_REQUESTS: if nothing is pending, sets req_event to req_cons + 1 so the
    /// very next request notifies, then looks again (a request published between the two reads is
    /// seen here instead of being missed). True if there is work.
    /// </summary>
    public bool FinalCheckForRequests()
    {
        if (ReadRequestProducer() != RequestConsumer)
        {
            return true;
        }

        Volatile.Write(ref Field(RequestEventOffset), unchecked(RequestConsumer + 1));
        Interlocked.MemoryBarrier();
        return ReadRequestProducer() != RequestConsumer;
    }

    public void Dispose()
    {
        foreach (var page in _pages)
        {
            page.Dispose();
        }
    }

    private int EntryOffset(uint index) => SharedRingHeader.HeaderBytes + (int)(index & (Size - 1)) * Layout.EntryBytes;

    // Header fields are little-endian u32s; the host is x86-64 (little-endian), so a plain u32 view is the field.
    private ref uint Field(int offset) => ref Unsafe.As<byte, uint>(ref _pages[0].Bytes[offset]);
}
