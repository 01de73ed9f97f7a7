using System.Buffers.Binary;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Rings;

namespace ActorVisor.Devices.Net;

/// <summary>The tx ring: packets the guest sends, from its slots to the switch.</summary>
public sealed partial class NetBackend
{
    /// <summary>One tx ring slot as read (once) from the shared page: a request, or an extra-info segment.</summary>
    internal readonly record struct TxSlot(uint Gref, ushort Offset, NetTxFlags Flags, ushort Id, ushort Size, bool IsExtra, NetExtraType ExtraType, byte ExtraFlags);

    private int ServiceTransmit(Connection c, out bool workLeft)
    {
        workLeft = false;
        var page = c.TxPage.Bytes;
        var ringSize = (uint)NetifLayout.TxRingEntries;
        var packets = 0;
        while (true)
        {
            var header = new SharedRingHeader(page);
            var producer = header.RequestProducer;
            Interlocked.MemoryBarrier();
            var pending = unchecked(producer - c.TxRequestConsumer);
            if (pending > ringSize)
            {
                CountGuestError((int)pending < 0 ? NetRingError.ProducerBackwards : NetRingError.ProducerTooFarAhead);
                break;
            }
            if (pending == 0)
            {
                // Dry: answer what was consumed, ask to be notified of the next request, look once more.
                PublishTxResponses(c, page);
                header.RequestEvent = unchecked(c.TxRequestConsumer + 1);
                Interlocked.MemoryBarrier();
                if (header.RequestProducer == producer)
                {
                    break;
                }
                continue;
            }
            if (packets >= _options.TxPacketsPerService)
            {
                workLeft = true;
                break;
            }
            if (TakePacket(c, page, (int)pending) == 0)
            {
                // The last packet's slots are not all published yet: wait for the rest.
                PublishTxResponses(c, page);
                header.RequestEvent = unchecked(producer + 1);
                Interlocked.MemoryBarrier();
                if (header.RequestProducer == producer)
                {
                    break;
                }
                continue;
            }
            packets++;
        }
        PublishTxResponses(c, page);
        return packets;
    }

    /// <summary>
    /// Reads one packet's slots from the tx ring, validates and copies it, answers every slot and
    /// passes the frame on. Returns the slots consumed, or 0 when the packet continues past the
    /// published requests (nothing consumed).
    /// </summary>
    private int TakePacket(Connection c, Span<byte> page, int pending)
    {
        var slots = c.Slots;
        var consumer = c.TxRequestConsumer;
        var count = 0;
        var error = NetRingError.None;
        var first = ReadRequest(page, consumer);
        slots[count++] = first;
        if ((first.Flags & NetTxFlags.ExtraInfo) != 0)
        {
            var extras = 0;
            TxSlot extra;
            do
            {
                if (count >= pending)
                {
                    return Incomplete(c, page, count, pending);
                }
                extra = ReadExtra(page, unchecked(consumer + (uint)count));
                slots[count++] = extra;
                if (++extras > NetifLayout.MaxExtraSegments)
                {
                    error = First(error, NetRingError.BadExtraInfo);
                }
                error = extra.ExtraType switch
                {
                    NetExtraType.Gso => First(error, NetRingError.GsoNotSupported),
                    // Multicast filter updates: this back-end floods multicast and filters nothing, so they change nothing.
                    NetExtraType.MulticastAdd or NetExtraType.MulticastDel => error,
                    _ => First(error, NetRingError.BadExtraInfo),
                };
            }
            while ((extra.ExtraFlags & NetifLayout.ExtraFlagMore) != 0);
        }
        var dataSlots = 1;
        var followingBytes = 0;
        var flags = first.Flags;
        while ((flags & NetTxFlags.MoreData) != 0)
        {
            if (count >= pending)
            {
                return Incomplete(c, page, count, pending);
            }
            var fragment = ReadRequest(page, unchecked(consumer + (uint)count));
            slots[count++] = fragment;
            dataSlots++;
            followingBytes += fragment.Size;
            flags = fragment.Flags;
        }

        error = First(error, Validate(slots.AsSpan(0, count), first, dataSlots, followingBytes));
        byte[]? frame = null;
        if (error == NetRingError.None)
        {
            frame = new byte[first.Size];
            error = CopyPacket(c.Grants, slots.AsSpan(0, count), first.Size - followingBytes, frame);
        }
        var validated = (first.Flags & (NetTxFlags.ChecksumBlank | NetTxFlags.DataValidated)) != 0;
        if (error == NetRingError.None && (first.Flags & NetTxFlags.ChecksumBlank) != 0 && !TransportChecksum.Complete(frame))
        {
            error = NetRingError.ChecksumNotCompletable;
        }
        Respond(c, page, count, error == NetRingError.None ? NetifStatus.Okay : NetifStatus.Error);
        if (error != NetRingError.None)
        {
            Net.CountTxDropped();
            CountGuestError(error);
            return count;
        }
        Net.CountTx(frame!.Length);
        Counters.CountRequest(frame.Length);
        Capture?.Write(frame);
        _uplink?.Send(new EthernetFrame(frame, validated));
        return count;
    }

    /// <summary>A packet that runs past the published requests: wait, unless it already fills the whole ring.</summary>
    private int Incomplete(Connection c, Span<byte> page, int count, int pending)
    {
        if (pending < NetifLayout.TxRingEntries)
        {
            return 0;
        }
        Respond(c, page, count, NetifStatus.Error);
        Net.CountTxDropped();
        CountGuestError(NetRingError.PacketLongerThanRing);
        return count;
    }

    private NetRingError Validate(ReadOnlySpan<TxSlot> slots, TxSlot first, int dataSlots, int followingBytes)
    {
        if (first.Size < NetifLayout.EthernetHeaderBytes)
        {
            return NetRingError.PacketTooShort;
        }
        if (first.Size > _options.MaxFrameBytes)
        {
            return NetRingError.PacketTooLarge;
        }
        if (dataSlots > _options.MaxSlotsPerPacket)
        {
            return NetRingError.TooManySlots;
        }
        if (followingBytes > first.Size)
        {
            return NetRingError.FragmentsExceedTotal;
        }
        var firstBytes = first.Size - followingBytes;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            var bytes = i == 0 ? firstBytes : slot.Size;
            if (!slot.IsExtra && slot.Offset + bytes > NetifLayout.PageBytes)
            {
                return NetRingError.FragmentPastPageEnd;
            }
        }
        return NetRingError.None;
    }

    private static NetRingError CopyPacket(IGrantedMemory grants, ReadOnlySpan<TxSlot> slots, int firstBytes, byte[] frame)
    {
        var at = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot.IsExtra)
            {
                continue;
            }
            var bytes = i == 0 ? firstBytes : slot.Size;
            if (grants.CopyFrom(slot.Gref, slot.Offset, frame.AsSpan(at, bytes)) != GrantAccessError.None)
            {
                return NetRingError.BadGrant;
            }
            at += bytes;
        }
        return NetRingError.None;
    }

    /// <summary>Answers the <paramref name="count"/> slots just read, in order: data slots with <paramref name="status"/>, extra-info slots with NETIF_RSP_NULL.</summary>
    private static void Respond(Connection c, Span<byte> page, int count, NetifStatus status)
    {
        for (var i = 0; i < count; i++)
        {
            var slot = c.Slots[i];
            var entry = page[NetifLayout.TxEntry(c.TxResponsePrivate)..];
            BinaryPrimitives.WriteUInt16LittleEndian(entry[NetifLayout.TxResponseId..], slot.IsExtra ? (ushort)0 : slot.Id);
            BinaryPrimitives.WriteInt16LittleEndian(entry[NetifLayout.TxResponseStatus..], (short)(slot.IsExtra ? NetifStatus.Null : status));
            c.TxResponsePrivate = unchecked(c.TxResponsePrivate + 1);
        }
        c.TxRequestConsumer = unchecked(c.TxRequestConsumer + (uint)count);
    }

    private static void PublishTxResponses(Connection c, Span<byte> page)
    {
        var old = c.TxResponsePublished;
        var now = c.TxResponsePrivate;
        if (old == now)
        {
            return;
        }
        var header = new SharedRingHeader(page);
        Interlocked.MemoryBarrier();
        header.ResponseProducer = now;
        c.TxResponsePublished = now;
        Interlocked.MemoryBarrier();
        if (RingNotification.ShouldNotify(old, now, header.ResponseEvent))
        {
            c.TxChannel.Notify();
        }
    }

    private static TxSlot ReadRequest(Span<byte> page, uint index)
    {
        var entry = page.Slice(NetifLayout.TxEntry(index), NetifLayout.TxEntryBytes);
        return new TxSlot(
            BinaryPrimitives.ReadUInt32LittleEndian(entry[NetifLayout.TxRequestGref..]),
            BinaryPrimitives.ReadUInt16LittleEndian(entry[NetifLayout.TxRequestOffset..]),
            (NetTxFlags)BinaryPrimitives.ReadUInt16LittleEndian(entry[NetifLayout.TxRequestFlags..]),
            BinaryPrimitives.ReadUInt16LittleEndian(entry[NetifLayout.TxRequestId..]),
            BinaryPrimitives.ReadUInt16LittleEndian(entry[NetifLayout.TxRequestSize..]),
            IsExtra: false,
            NetExtraType.None,
            0);
    }

    private static TxSlot ReadExtra(Span<byte> page, uint index)
    {
        var entry = page.Slice(NetifLayout.TxEntry(index), NetifLayout.TxEntryBytes);
        return new TxSlot(0, 0, NetTxFlags.None, 0, 0, IsExtra: true, (NetExtraType)entry[NetifLayout.ExtraType], entry[NetifLayout.ExtraFlags]);
    }

    private static NetRingError First(NetRingError current, NetRingError next) => current != NetRingError.None ? current : next;
}
