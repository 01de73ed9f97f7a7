using System.Buffers.Binary;
using ActorVisor.Devices.Faults;

namespace ActorVisor.Devices.Block;

/// <summary>One request at a time: decode the private copy of the entry, check it whole, then move the data.</summary>
public sealed partial class BlockBackend
{
    /// <summary>Handles the request just taken and answers it; false when an injected hang or delay stopped it (unanswered, given back to the ring or held).</summary>
    private bool HandleRequest(BlockRing ring, ref bool notify)
    {
        if (Stalls(ring, FaultPoint.RequestTaken, answered: false))
        {
            return false;
        }

        var layout = ring.Layout;
        ReadOnlySpan<byte> entry = _entry.AsSpan(0, layout.EntryBytes);
        var operation = entry[BlkifLayout.OperationOffset];
        var id = BinaryPrimitives.ReadUInt64LittleEndian(entry[layout.IdOffset..]);
        var responseOperation = operation;
        long bytes = 0;
        BlockRequestError error;
        switch (operation)
        {
            case BlkifProtocol.OpRead:
            case BlkifProtocol.OpWrite:
            case BlkifProtocol.OpWriteBarrier:
            case BlkifProtocol.OpFlushDiskCache:
                error = HandleDirect(entry, layout, operation, out bytes);
                break;
            case BlkifProtocol.OpIndirect when _options.MaxIndirectSegments > 0:
                // Linux's front-end checks that a response names the inner operation.
                responseOperation = entry[BlkifLayout.SecondByteOffset];
                error = HandleIndirect(entry, layout, out bytes);
                break;
            case BlkifProtocol.OpDiscard when _options.Discard:
                error = HandleDiscard(entry, layout);
                break;
            default:
                error = BlockRequestError.UnsupportedOperation;
                break;
        }

        if (_stalled || Stalls(ring, FaultPoint.AfterData, answered: false))
        {
            _stalled = false;
            return false;
        }

        Counters.CountRequest(error == BlockRequestError.None ? bytes : 0);
        if (error != BlockRequestError.None)
        {
            CountError(error);
        }

        notify |= ring.Answer(id, responseOperation, StatusFor(error));
        return !Stalls(ring, FaultPoint.ResponsePushed, answered: true);
    }

    private BlockRequestError HandleDirect(ReadOnlySpan<byte> entry, BlkifLayout layout, byte operation, out long bytes)
    {
        bytes = 0;
        int count = entry[BlkifLayout.SecondByteOffset];
        var flushes = operation is BlkifProtocol.OpWriteBarrier or BlkifProtocol.OpFlushDiskCache;
        if (count > BlkifProtocol.MaxDirectSegments || (count == 0 && !flushes))
        {
            return BlockRequestError.SegmentCountInvalid;
        }

        for (var i = 0; i < count; i++)
        {
            _segments[i] = Segment.Decode(entry[(layout.SegmentsOffset + i * BlkifProtocol.SegmentBytes)..]);
        }

        var sector = BinaryPrimitives.ReadUInt64LittleEndian(entry[layout.SectorOffset..]);
        return Transfer(write: operation != BlkifProtocol.OpRead, durable: flushes, sector, count, out bytes);
    }

    private BlockRequestError HandleIndirect(ReadOnlySpan<byte> entry, BlkifLayout layout, out long bytes)
    {
        bytes = 0;
        var inner = entry[BlkifLayout.SecondByteOffset];
        if (inner is not (BlkifProtocol.OpRead or BlkifProtocol.OpWrite))
        {
            return BlockRequestError.IndirectOperationInvalid;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(entry[layout.IndirectNrSegmentsOffset..]);
        if (count == 0 || count > _options.MaxIndirectSegments)
        {
            return BlockRequestError.SegmentCountInvalid;
        }

        var pages = (count + BlkifProtocol.SegmentsPerIndirectPage - 1) / BlkifProtocol.SegmentsPerIndirectPage;
        for (var p = 0; p < pages; p++)
        {
            var gref = BinaryPrimitives.ReadUInt32LittleEndian(entry[(layout.IndirectGrefsOffset + p * 4)..]);
            var first = p * BlkifProtocol.SegmentsPerIndirectPage;
            var inPage = Math.Min(BlkifProtocol.SegmentsPerIndirectPage, count - first);
            var descriptors = _indirectPage.AsSpan(0, inPage * BlkifProtocol.SegmentBytes);
            if (_grants!.CopyFrom(gref, 0, descriptors) != Backends.GrantAccessError.None)
            {
                return BlockRequestError.BadGrant;
            }

            for (var i = 0; i < inPage; i++)
            {
                _segments[first + i] = Segment.Decode(descriptors[(i * BlkifProtocol.SegmentBytes)..]);
            }
        }

        var sector = BinaryPrimitives.ReadUInt64LittleEndian(entry[layout.SectorOffset..]);
        return Transfer(write: inner == BlkifProtocol.OpWrite, durable: false, sector, count, out bytes);
    }

    private BlockRequestError HandleDiscard(ReadOnlySpan<byte> entry, BlkifLayout layout)
    {
        if (ReadOnly)
        {
            return BlockRequestError.ReadOnlyDisk;
        }

        var sector = BinaryPrimitives.ReadUInt64LittleEndian(entry[layout.SectorOffset..]);
        var count = BinaryPrimitives.ReadUInt64LittleEndian(entry[layout.DiscardSectorCountOffset..]);
        var disk = (ulong)_image.Sectors;
        if (sector > disk || count > disk - sector)
        {
            return BlockRequestError.SectorsBeyondDisk;
        }

        var error = FromDisk(_image.Discard((long)sector, (long)count, out var method));
        if (error == BlockRequestError.None && count > 0)
        {
            if (method == DiscardMethod.PunchedHole)
            {
                DiscardsPunched++;
            }
            else
            {
                DiscardsZeroed++;
            }
        }

        return error;
    }

    /// <summary>
    /// Moves the data of <paramref name="count"/> decoded segments, which cover consecutive disk
    /// sectors from <paramref name="sector"/>. Every segment and the whole range are checked before
    /// a byte moves; a write gathers all segments first, so a bad grant leaves the disk untouched.
    /// </summary>
    private BlockRequestError Transfer(bool write, bool durable, ulong sector, int count, out long bytes)
    {
        bytes = 0;
        long sectors = 0;
        for (var i = 0; i < count; i++)
        {
            var segment = _segments[i];
            if (segment.FirstSector > segment.LastSector || segment.LastSector > BlkifProtocol.LastSectorInPage)
            {
                return BlockRequestError.SegmentSectorsInvalid;
            }

            sectors += segment.Sectors;
        }

        if (count > 0)
        {
            if (write && ReadOnly)
            {
                return BlockRequestError.ReadOnlyDisk;
            }

            var disk = (ulong)_image.Sectors;
            if (sector > disk || (ulong)sectors > disk - sector)
            {
                return BlockRequestError.SectorsBeyondDisk;
            }
        }

        var data = _data.AsSpan(0, (int)sectors * RawDiskImage.SectorBytes);
        BlockRequestError error;
        if (write)
        {
            error = GatherSegments(data, count);
            if (error == BlockRequestError.None && count > 0)
            {
                error = WriteImage((long)sector, data);
            }

            if (error == BlockRequestError.None && durable)
            {
                error = FlushImage();
            }
        }
        else
        {
            error = ReadImage((long)sector, data);
            if (error == BlockRequestError.None)
            {
                error = ScatterSegments(data, count);
            }
        }

        if (error == BlockRequestError.None)
        {
            bytes = data.Length;
        }

        return error;
    }

    private BlockRequestError GatherSegments(Span<byte> data, int count)
    {
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var segment = _segments[i];
            var length = segment.Sectors * RawDiskImage.SectorBytes;
            var result = _grants!.CopyFrom(segment.Gref, segment.FirstSector * RawDiskImage.SectorBytes, data.Slice(offset, length));
            if (result != Backends.GrantAccessError.None)
            {
                return BlockRequestError.BadGrant;
            }

            offset += length;
        }

        return BlockRequestError.None;
    }

    private BlockRequestError ScatterSegments(ReadOnlySpan<byte> data, int count)
    {
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var segment = _segments[i];
            var length = segment.Sectors * RawDiskImage.SectorBytes;
            var result = _grants!.CopyTo(segment.Gref, segment.FirstSector * RawDiskImage.SectorBytes, data.Slice(offset, length));
            if (result != Backends.GrantAccessError.None)
            {
                return BlockRequestError.BadGrant;
            }

            offset += length;
        }

        return BlockRequestError.None;
    }

    private static BlockRequestError FromDisk(DiskIoError error) => error switch
    {
        DiskIoError.None => BlockRequestError.None,
        DiskIoError.BeyondEnd => BlockRequestError.SectorsBeyondDisk,
        DiskIoError.ReadOnly => BlockRequestError.ReadOnlyDisk,
        _ => BlockRequestError.HostIoFailed,
    };

    private static short StatusFor(BlockRequestError error) => error switch
    {
        BlockRequestError.None => BlkifProtocol.StatusOkay,
        BlockRequestError.UnsupportedOperation => BlkifProtocol.StatusNotSupported,
        _ => BlkifProtocol.StatusError,
    };

    /// <summary>A decoded blkif_request_segment: the page's grant and the sectors of it to move (inclusive).</summary>
    private readonly record struct Segment(uint Gref, int FirstSector, int LastSector)
    {
        public int Sectors => LastSector - FirstSector + 1;

        public static Segment Decode(ReadOnlySpan<byte> bytes) =>
            new(BinaryPrimitives.ReadUInt32LittleEndian(bytes), bytes[4], bytes[5]);
    }
}
