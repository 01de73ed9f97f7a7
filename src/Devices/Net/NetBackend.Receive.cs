using System.Buffers.Binary;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Rings;

namespace ActorVisor.Devices.Net;

/// <summary>The rx ring: frames from the switch, copied into the buffers the guest posted.</summary>
public sealed partial class NetBackend
{
    private int ServiceReceive(Connection c)
    {
        var page = c.RxPage.Bytes;
        var ringSize = (uint)NetifLayout.RxRingEntries;
        var delivered = 0;
        while (true)
        {
            EthernetFrame frame;
            lock (_rxQueueLock)
            {
                if (!_rxQueue.TryPeek(out frame))
                {
                    break;
                }
            }
            var needed = (frame.Length + NetifLayout.PageBytes - 1) / NetifLayout.PageBytes;
            if (frame.Length > _options.MaxFrameBytes || (needed > 1 && !c.FrontendScatterGather))
            {
                Dequeue();
                Net.CountRxTooLarge();
                continue;
            }
            var header = new SharedRingHeader(page);
            var producer = header.RequestProducer;
            Interlocked.MemoryBarrier();
            var posted = unchecked(producer - c.RxRequestConsumer);
            if (posted > ringSize)
            {
                CountGuestError((int)posted < 0 ? NetRingError.ProducerBackwards : NetRingError.ProducerTooFarAhead);
                break;
            }
            if (posted < needed)
            {
                // Too few buffers: answer what is done, ask to be notified when enough are posted, look once more.
                PublishRxResponses(c, page);
                header.RequestEvent = unchecked(c.RxRequestConsumer + (uint)needed);
                Interlocked.MemoryBarrier();
                if (header.RequestProducer == producer)
                {
                    break;
                }
                continue;
            }
            Dequeue();
            if (PutPacket(c, page, frame, needed))
            {
                delivered++;
            }
        }
        PublishRxResponses(c, page);
        return delivered;
    }

    private void Dequeue()
    {
        lock (_rxQueueLock)
        {
            _rxQueue.Dequeue();
        }
    }

    /// <summary>Copies the frame into the next <paramref name="slots"/> posted buffers, one response per buffer in its request's slot.</summary>
    private bool PutPacket(Connection c, Span<byte> page, EthernetFrame frame, int slots)
    {
        var bytes = frame.Bytes.Span;
        var ok = true;
        for (var k = 0; k < slots; k++)
        {
            var request = page.Slice(NetifLayout.RxEntry(c.RxRequestConsumer), NetifLayout.RxEntryBytes);
            var id = BinaryPrimitives.ReadUInt16LittleEndian(request[NetifLayout.RxRequestId..]);
            var gref = BinaryPrimitives.ReadUInt32LittleEndian(request[NetifLayout.RxRequestGref..]);
            c.RxRequestConsumer = unchecked(c.RxRequestConsumer + 1);
            var start = k * NetifLayout.PageBytes;
            var chunk = bytes.Slice(start, Math.Min(NetifLayout.PageBytes, bytes.Length - start));
            var status = (short)chunk.Length;
            if (c.Grants.CopyTo(gref, 0, chunk) != GrantAccessError.None)
            {
                CountGuestError(NetRingError.BadGrant);
                status = (short)NetifStatus.Error;
                ok = false;
            }
            var flags = NetRxFlags.None;
            if (k == 0 && frame.ChecksumValidated)
            {
                flags |= NetRxFlags.DataValidated;
            }
            if (k < slots - 1)
            {
                flags |= NetRxFlags.MoreData;
            }
            var response = page.Slice(NetifLayout.RxEntry(c.RxResponsePrivate), NetifLayout.RxEntryBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(response[NetifLayout.RxResponseId..], id);
            BinaryPrimitives.WriteUInt16LittleEndian(response[NetifLayout.RxResponseOffset..], 0);
            BinaryPrimitives.WriteUInt16LittleEndian(response[NetifLayout.RxResponseFlags..], (ushort)flags);
            BinaryPrimitives.WriteInt16LittleEndian(response[NetifLayout.RxResponseStatus..], status);
            c.RxResponsePrivate = unchecked(c.RxResponsePrivate + 1);
        }
        if (ok)
        {
            Net.CountRx(bytes.Length);
            Counters.CountRequest(bytes.Length);
            Capture?.Write(bytes);
        }
        return ok;
    }

    private static void PublishRxResponses(Connection c, Span<byte> page)
    {
        var old = c.RxResponsePublished;
        var now = c.RxResponsePrivate;
        if (old == now)
        {
            return;
        }
        var header = new SharedRingHeader(page);
        Interlocked.MemoryBarrier();
        header.ResponseProducer = now;
        c.RxResponsePublished = now;
        Interlocked.MemoryBarrier();
        if (RingNotification.ShouldNotify(old, now, header.ResponseEvent))
        {
            c.RxChannel.Notify();
        }
    }
}
