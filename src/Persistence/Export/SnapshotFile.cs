using System.Buffers.Binary;
using System.IO.Hashing;
using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;

namespace ActorVisor.Persistence.Export;

/// <summary>
/// The exported snapshot file, one self-contained stream (the equivalent of <c>xl save</c>'s file).
/// Layout: the 8-byte magic <c>AVSNAP\r\n</c>, a u32 LE format version (<see cref="FormatVersion"/>),
/// then records, each <c>kind (u8), length (u32 LE), payload, CRC-64/ECMA-182 of kind, length and
/// payload (u64 LE)</c>, in the order header, one section per component, pages, end; nothing follows
/// the end record. Header: snapshot name, domain name (u16-prefixed UTF-8), image version (i32),
/// virtual time in ns (i64), frame count (i64), section count (u32). Section:
/// name, version (i32), payload (the rest). Pages: a u16 count (at most
/// <see cref="PagesPerRecord"/>), then per page its pfn (i64, increasing over the file), codec
/// (u8, as the store's chunks) and u16 length of the encoded bytes. End: the number of pages (i64).
/// A reader checks every length against its kind's bound before it allocates.
/// </summary>
internal static class SnapshotFile
{
    public const uint FormatVersion = 1;

    public static ReadOnlySpan<byte> Magic => "AVSNAP\r\n"u8;

    public const int PagesPerRecord = 256;

    public const int RecordHeaderBytes = 5;

    public const int RecordTrailerBytes = 8;

    public static int MaxPayload(RecordKind kind) => kind switch
    {
        RecordKind.Header => 1024,
        RecordKind.Section => DomainImageLimits.MaxSectionBytes + 1024,
        RecordKind.Pages => 2 + (PagesPerRecord * (8 + 1 + 2 + 1 + DomainImage.PageSize)),
        RecordKind.End => 8,
        _ => 0,
    };

    public static ulong Crc(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc64();
        crc.Append(header);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt64();
    }

    public static void WriteRecord(Stream stream, RecordKind kind, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[RecordHeaderBytes];
        header[0] = (byte)kind;
        BinaryPrimitives.WriteUInt32LittleEndian(header[1..], (uint)payload.Length);
        Span<byte> trailer = stackalloc byte[RecordTrailerBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(trailer, Crc(header, payload));
        stream.Write(header);
        stream.Write(payload);
        stream.Write(trailer);
    }
}

/// <summary>The kinds of record in a <see cref="SnapshotFile"/>.</summary>
internal enum RecordKind : byte
{
    Header = 1,
    Section = 2,
    Pages = 3,
    End = 4,
}
