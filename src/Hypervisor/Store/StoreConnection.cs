using ActorVisor.Abi;
using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// The store's end of one domain's ring: reads requests from the request ring, answers them
/// through <see cref="XenStore"/>, and writes replies and the domain's watch events to the
/// response ring as room allows. The host calls <see cref="Service"/> when the guest notifies
/// the store event channel (and when the store's <see cref="IStoreEventSink"/> hears of an event for this domain);
/// when it returns true the host sends the event back to the guest.
///
/// Invariants: indices the guest wrote are checked before use (more than a ring's worth
/// outstanding closes the connection with the bad-index error); a message longer than 4096
/// payload bytes closes it with the protocol error; replies keep the request's req_id and tx_id
/// and come in request order; no more than <see cref="MaxQueuedReplyBytes"/> of replies wait,
/// so a guest that stops reading stops being served rather than growing host memory.
/// </summary>
public sealed partial class StoreConnection
{
    /// <summary>Replies queued beyond this stop the reading of new requests until the guest drains the ring.</summary>
    public const int MaxQueuedReplyBytes = 64 * 1024;

    private readonly XenStore _store;
    private readonly List<byte> _incoming = [];
    private readonly Queue<byte[]> _outgoing = new();
    private int _outgoingOffset;
    private int _queuedBytes;
    private bool _servicing;

    public StoreConnection(XenStore store, DomId domain)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Domain = domain;
    }

    public DomId Domain { get; }

    /// <summary>Why the connection was closed (null while open); a closed connection is never serviced again.</summary>
    public string? ClosedBecause { get; private set; }

    public bool IsClosed => ClosedBecause is not null;

    /// <summary>Requests answered so far.</summary>
    public long RequestsHandled { get; private set; }

    /// <summary>
    /// Consumes whatever requests the guest put in <paramref name="page"/>, answers them and
    /// writes as much output as fits. Returns true if indices moved, so the guest must be notified.
    /// </summary>
    public bool Service(Span<byte> page)
    {
        // A request of this domain can queue a watch event for this same domain, and a host that
        // services on IStoreEventSink.EventsQueued would then re-enter; the loop below already takes those events.
        if (IsClosed || _servicing)
        {
            return false;
        }

        _servicing = true;
        try
        {
            return ServiceRing(page);
        }
        finally
        {
            _servicing = false;
        }
    }

    private bool ServiceRing(Span<byte> page)
    {
        StoreRing.Set(page, StoreRing.ServerFeaturesOffset, StoreRing.FeatureErrorField);

        bool moved = false;
        while (true)
        {
            bool progress = ReadRequests(page);
            if (IsClosed)
            {
                return true;
            }

            TakeWatchEvents();
            progress |= WriteOutput(page);
            if (IsClosed)
            {
                return true;
            }

            moved |= progress;
            if (!progress)
            {
                return moved;
            }
        }
    }

    public StoreConnectionState Capture() => new(
        StoreConnectionState.CurrentVersion,
        [.. _incoming],
        _outgoing.Select(m => m.ToArray()).ToList(),
        _outgoingOffset,
        ClosedBecause);

    /// <summary>Rebuilds a connection from captured state; an inconsistent state is refused with <see cref="SnapshotFormatException"/>.</summary>
    public static StoreConnection Restore(XenStore store, DomId domain, StoreConnectionState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        bool consistent = state.Version == StoreConnectionState.CurrentVersion
            && state.PartialRequest.Length < StoreRing.HeaderBytes + StoreRing.MaxPayloadBytes
            && state.FirstReplyBytesWritten >= 0
            && (state.PendingReplies.Count == 0 ? state.FirstReplyBytesWritten == 0 : state.FirstReplyBytesWritten < state.PendingReplies[0].Length);
        if (!consistent)
        {
            throw new SnapshotFormatException("store connection state has another version or inconsistent offsets");
        }

        var connection = new StoreConnection(store, domain) { ClosedBecause = state.ClosedBecause };
        connection._incoming.AddRange(state.PartialRequest);
        foreach (var reply in state.PendingReplies)
        {
            connection.Enqueue(reply.ToArray());
        }

        connection._outgoingOffset = state.FirstReplyBytesWritten;
        return connection;
    }

    /// <summary>Answers one complete message (header and payload) and returns the reply's bytes; the wire path uses the same code.</summary>
    public byte[] Handle(ReadOnlySpan<byte> message)
    {
        if (message.Length < StoreRing.HeaderBytes || XsHeader.Read(message).Length != message.Length - StoreRing.HeaderBytes)
        {
            return XsHeader.Message(XsMessageType.Error, 0, 0, XsHeader.Strings(StoreError.Invalid.WireName()));
        }

        var header = XsHeader.Read(message);
        var reply = Dispatch(header, message[StoreRing.HeaderBytes..]);
        RequestsHandled++;
        return reply;
    }

    private bool ReadRequests(Span<byte> page)
    {
        uint cons = StoreRing.Get(page, StoreRing.RequestConsumerOffset);
        uint prod = StoreRing.Get(page, StoreRing.RequestProducerOffset);
        uint available = prod - cons;
        if (available > StoreRing.RingBytes)
        {
            Close(page, StoreRing.ErrorBadRingIndex, $"request indices cons {cons} prod {prod} are more than a ring apart");
            return false;
        }

        bool progress = false;
        while (available > 0 && _queuedBytes < MaxQueuedReplyBytes)
        {
            int needed = NeededBytes();
            int offset = (int)(cons % StoreRing.RingBytes);
            int chunk = (int)Math.Min(Math.Min(available, (uint)(StoreRing.RingBytes - offset)), (uint)needed);
            var bytes = page.Slice(StoreRing.RequestOffset + offset, chunk);
            foreach (byte b in bytes)
            {
                _incoming.Add(b);
            }

            cons += (uint)chunk;
            available -= (uint)chunk;
            progress = true;
            StoreRing.Set(page, StoreRing.RequestConsumerOffset, cons);
            if (NeededBytes() < 0)
            {
                Close(page, StoreRing.ErrorProtocol, "a request's payload is longer than 4096 bytes");
                return false;
            }

            if (NeededBytes() == 0)
            {
                var reply = Handle(_incoming.ToArray());
                _incoming.Clear();
                Enqueue(reply);
                TakeWatchEvents();
            }
        }

        return progress;
    }

    /// <summary>Bytes still missing from the message being assembled (0 when complete, -1 when its length is illegal).</summary>
    private int NeededBytes()
    {
        if (_incoming.Count < StoreRing.HeaderBytes)
        {
            return StoreRing.HeaderBytes - _incoming.Count;
        }

        uint length = (uint)(_incoming[12] | _incoming[13] << 8 | _incoming[14] << 16 | _incoming[15] << 24);
        if (length > StoreRing.MaxPayloadBytes)
        {
            return -1;
        }

        return StoreRing.HeaderBytes + (int)length - _incoming.Count;
    }

    private void TakeWatchEvents()
    {
        while (_store.TryTakeEvent(Domain, out var watchEvent))
        {
            var payload = XsHeader.Strings(watchEvent.Path, watchEvent.Token);
            Enqueue(XsHeader.Message(XsMessageType.WatchEvent, 0, 0, payload));
        }
    }

    private void Enqueue(byte[] message)
    {
        _outgoing.Enqueue(message);
        _queuedBytes += message.Length;
    }

    private bool WriteOutput(Span<byte> page)
    {
        uint cons = StoreRing.Get(page, StoreRing.ResponseConsumerOffset);
        uint prod = StoreRing.Get(page, StoreRing.ResponseProducerOffset);
        if (prod - cons > StoreRing.RingBytes)
        {
            Close(page, StoreRing.ErrorBadRingIndex, $"response indices cons {cons} prod {prod} are more than a ring apart");
            return false;
        }

        bool progress = false;
        while (_outgoing.Count > 0 && prod - cons < StoreRing.RingBytes)
        {
            var message = _outgoing.Peek();
            int offset = (int)(prod % StoreRing.RingBytes);
            int room = (int)(StoreRing.RingBytes - (prod - cons));
            int chunk = Math.Min(Math.Min(room, StoreRing.RingBytes - offset), message.Length - _outgoingOffset);
            message.AsSpan(_outgoingOffset, chunk).CopyTo(page.Slice(StoreRing.ResponseOffset + offset, chunk));
            prod += (uint)chunk;
            _outgoingOffset += chunk;
            progress = true;
            if (_outgoingOffset == message.Length)
            {
                _outgoing.Dequeue();
                _queuedBytes -= message.Length;
                _outgoingOffset = 0;
            }
        }

        StoreRing.Set(page, StoreRing.ResponseProducerOffset, prod);
        return progress;
    }

    private void Close(Span<byte> page, uint error, string reason)
    {
        StoreRing.Set(page, StoreRing.ErrorOffset, error);
        ClosedBecause = reason;
        _incoming.Clear();
        _outgoing.Clear();
        _queuedBytes = 0;
    }
}
