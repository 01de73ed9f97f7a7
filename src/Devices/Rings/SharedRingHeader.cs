using System.Buffers.Binary;

namespace ActorVisor.Devices.Rings;

/// <summary>
/// The 64-byte header of a generic Xen shared ring (io/ring.h) laid over the first bytes of a
/// shared page: request and response producers and the event indices each side sets to ask
/// for a notification. Entries follow at offset 64.
/// </summary>
public readonly ref struct SharedRingHeader(Span<byte> page)
{
    public const int HeaderBytes = 64;

    private readonly Span<byte> _page = page.Length >= HeaderBytes
        ? page
        : throw new ArgumentException($"a shared ring needs at least {HeaderBytes} bytes, got {page.Length}", nameof(page));

    public uint RequestProducer
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(_page);
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page, value);
    }

    public uint RequestEvent
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(_page[4..]);
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[4..], value);
    }

    public uint ResponseProducer
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(_page[8..]);
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[8..], value);
    }

    public uint ResponseEvent
    {
        get => BinaryPrimitives.ReadUInt32LittleEndian(_page[12..]);
        set => BinaryPrimitives.WriteUInt32LittleEndian(_page[12..], value);
    }

    /// <summary>Entries in a ring of this page size: the space after the header rounded down to a power of two.</summary>
    public static int EntryCount(int pageBytes, int entryBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entryBytes, 1);
        var fit = (pageBytes - HeaderBytes) / entryBytes;
        return fit < 1 ? 0 : 1 << (31 - int.LeadingZeroCount(fit));
    }

    /// <summary>What SHARED_RING_INIT does: producers to 0, event indices to 1.</summary>
    public void Initialise()
    {
        _page[..HeaderBytes].Clear();
        RequestEvent = 1;
        ResponseEvent = 1;
    }
}
