using System.Buffers.Binary;
using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Persistence.Chunks;

/// <summary>One saved page of a snapshot: its guest frame number and the address of its content chunk.</summary>
internal readonly record struct PageEntry(long Pfn, string Address);

/// <summary>
/// The list of a snapshot's non-zero pages, kept as chunks of its own so that the snapshot record
/// stays small: each map chunk lists up to <see cref="EntriesPerChunk"/> pages in increasing pfn
/// order as (pfn delta as a LEB128 varint, 32-byte SHA-256). Layout: u32 LE entry count, entries.
/// </summary>
internal static class PageMap
{
    public const int EntriesPerChunk = 4096;

    private const int HashBytes = ContentAddress.HexLength / 2;

    /// <summary>The largest encoded map chunk: the count and every entry with the longest varint.</summary>
    public const int MaxEncodedBytes = 4 + (EntriesPerChunk * (10 + HashBytes));

    public static byte[] Encode(IReadOnlyList<PageEntry> entries)
    {
        var buffer = new byte[4 + (entries.Count * (10 + HashBytes))];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)entries.Count);
        var at = 4;
        var previous = -1L;
        foreach (var entry in entries)
        {
            var delta = (ulong)(entry.Pfn - previous - 1);
            previous = entry.Pfn;
            while (delta >= 0x80)
            {
                buffer[at++] = (byte)(delta | 0x80);
                delta >>= 7;
            }
            buffer[at++] = (byte)delta;
            Convert.FromHexString(entry.Address, buffer.AsSpan(at, HashBytes), out _, out _);
            at += HashBytes;
        }
        return buffer.AsSpan(0, at).ToArray();
    }

    /// <summary>
    /// The entries of one decoded map chunk. Each pfn must exceed <paramref name="previousPfn"/> (the
    /// last of the chunk before) and be below <paramref name="frameCount"/>.
    /// </summary>
    public static List<PageEntry> Decode(ReadOnlySpan<byte> map, long previousPfn, long frameCount, string what)
    {
        if (map.Length < 4)
        {
            throw new SnapshotFormatException($"{what}: page map of {map.Length} bytes has no entry count");
        }
        var count = BinaryPrimitives.ReadUInt32LittleEndian(map);
        if (count > EntriesPerChunk)
        {
            throw new SnapshotFormatException($"{what}: page map claims {count} entries, more than {EntriesPerChunk}");
        }
        var entries = new List<PageEntry>((int)count);
        var at = 4;
        var previous = previousPfn;
        for (var i = 0; i < count; i++)
        {
            ulong delta = 0;
            var shift = 0;
            while (true)
            {
                if (at >= map.Length || shift > 63)
                {
                    throw new SnapshotFormatException($"{what}: page map entry {i} at byte {at} is truncated or malformed");
                }
                var b = map[at++];
                delta |= (ulong)(b & 0x7f) << shift;
                shift += 7;
                if (b < 0x80)
                {
                    break;
                }
            }
            if (delta >= (ulong)frameCount || previous + 1 + (long)delta >= frameCount)
            {
                throw new SnapshotFormatException($"{what}: page map entry {i} names a pfn past the domain's {frameCount} frames");
            }
            previous = previous + 1 + (long)delta;
            if (at + HashBytes > map.Length)
            {
                throw new SnapshotFormatException($"{what}: page map entry {i} at byte {at} is truncated");
            }
            entries.Add(new PageEntry(previous, Convert.ToHexStringLower(map.Slice(at, HashBytes))));
            at += HashBytes;
        }
        if (at != map.Length)
        {
            throw new SnapshotFormatException($"{what}: page map has {map.Length - at} bytes after its {count} entries");
        }
        return entries;
    }

    /// <summary>
    /// Checks one page a source visits (4 KiB, after <paramref name="previous"/>, inside the frames),
    /// moves <paramref name="previous"/> on, and answers whether the page is to be kept (not all zero).
    /// </summary>
    public static bool Admit(long pfn, ReadOnlySpan<byte> page, ref long previous, long frameCount)
    {
        PageCodec.CheckPageSize(page, pfn);
        CheckOrder(pfn, previous, frameCount);
        previous = pfn;
        return !PageCodec.IsZero(page);
    }

    /// <summary>Checks that an image's pages are 4 KiB, in increasing pfn order and inside its frames.</summary>
    public static void CheckOrder(long pfn, long previousPfn, long frameCount)
    {
        if (pfn <= previousPfn || pfn >= frameCount)
        {
            throw new ArgumentException($"page source visited pfn {pfn} after {previousPfn} (frames 0..{frameCount - 1}): pages must come once each, in increasing order");
        }
    }

    public static void CheckFrameCount(long frameCount)
    {
        if (frameCount is < 0 or > DomainImageLimits.MaxFrames)
        {
            throw new ArgumentException($"domain image has {frameCount} frames; at most {DomainImageLimits.MaxFrames} are supported");
        }
    }
}

/// <summary>Bounds the store and the export file put on what they read, so that a corrupt length is refused before anything is allocated.</summary>
internal static class DomainImageLimits
{
    /// <summary>1 TiB of 4 KiB frames.</summary>
    public const long MaxFrames = 1L << 28;

    public const int MaxSections = 4096;

    public const int MaxSectionBytes = 64 << 20;

    public const int MaxNameBytes = 255;

    public static long MemoryBytes(long frameCount) => frameCount * DomainImage.PageSize;
}
