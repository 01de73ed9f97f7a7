using ActorVisor.Hypervisor.Snapshots;
using ZstdSharp;

namespace ActorVisor.Persistence.Chunks;

/// <summary>
/// How a 4 KiB page (or a page map) is kept: one codec byte, then the bytes. <see cref="Raw"/> when
/// compression would not make it smaller (random data), <see cref="Zstd"/> otherwise. Zstandard at
/// level 1 was chosen over LZ4 by measurement (docs/PERFORMANCE.md): on guest pages it stores
/// markedly less for a similar time. Not thread-safe: one codec per thread.
/// </summary>
internal sealed class PageCodec : IDisposable
{
    public const byte Raw = 0;
    public const byte Zstd = 1;

    /// <summary>Zstandard's level: 1 is its fastest standard level.</summary>
    public const int Level = 1;

    private readonly Compressor _compressor = new(Level);
    private readonly Decompressor _decompressor = new();

    /// <summary>The encoded form of <paramref name="content"/>: a codec byte and the (maybe compressed) bytes.</summary>
    public byte[] Encode(ReadOnlySpan<byte> content)
    {
        var bound = Compressor.GetCompressBound(content.Length);
        var buffer = new byte[1 + bound];
        var written = _compressor.Wrap(content, buffer.AsSpan(1));
        if (written >= content.Length)
        {
            buffer = new byte[1 + content.Length];
            buffer[0] = Raw;
            content.CopyTo(buffer.AsSpan(1));
            return buffer;
        }
        buffer[0] = Zstd;
        return buffer.AsSpan(0, 1 + written).ToArray();
    }

    /// <summary>
    /// Decodes <paramref name="encoded"/> into <paramref name="destination"/>, which it must fill exactly;
    /// <paramref name="what"/> names the chunk in the error.
    /// </summary>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination, string what)
    {
        if (encoded.Length == 0)
        {
            throw new SnapshotFormatException($"{what}: empty chunk (no codec byte)");
        }
        var body = encoded[1..];
        switch (encoded[0])
        {
            case Raw:
                if (body.Length != destination.Length)
                {
                    throw new SnapshotFormatException($"{what}: raw chunk of {body.Length} bytes, expected {destination.Length}");
                }
                body.CopyTo(destination);
                return;
            case Zstd:
                int written;
                try
                {
                    written = _decompressor.Unwrap(body, destination);
                }
                catch (ZstdException e)
                {
                    throw new SnapshotFormatException($"{what}: zstd data is corrupt ({e.Message})", e);
                }
                if (written != destination.Length)
                {
                    throw new SnapshotFormatException($"{what}: decompresses to {written} bytes, expected {destination.Length}");
                }
                return;
            default:
                throw new SnapshotFormatException($"{what}: unknown codec {encoded[0]} (expected {Raw} raw or {Zstd} zstd)");
        }
    }

    /// <summary>The decompressed size recorded in a zstd frame, or the raw length, bounded by <paramref name="limit"/>.</summary>
    public static int DecodedLength(ReadOnlySpan<byte> encoded, int limit, string what)
    {
        if (encoded.Length == 0)
        {
            throw new SnapshotFormatException($"{what}: empty chunk (no codec byte)");
        }
        long length = encoded[0] switch
        {
            Raw => encoded.Length - 1,
            Zstd => SafeFrameLength(encoded[1..], what),
            _ => throw new SnapshotFormatException($"{what}: unknown codec {encoded[0]} (expected {Raw} raw or {Zstd} zstd)"),
        };
        if (length < 0 || length > limit)
        {
            throw new SnapshotFormatException($"{what}: claims {length} bytes, more than the {limit} allowed");
        }
        return (int)length;
    }

    private static long SafeFrameLength(ReadOnlySpan<byte> frame, string what)
    {
        try
        {
            var size = Decompressor.GetDecompressedSize(frame);
            return size > long.MaxValue ? -1 : (long)size;
        }
        catch (ZstdException e)
        {
            throw new SnapshotFormatException($"{what}: zstd frame header is corrupt ({e.Message})", e);
        }
    }

    /// <summary>True when every byte of <paramref name="page"/> is zero.</summary>
    public static bool IsZero(ReadOnlySpan<byte> page) => !page.ContainsAnyExcept((byte)0);

    public static void CheckPageSize(ReadOnlySpan<byte> page, long pfn)
    {
        if (page.Length != DomainImage.PageSize)
        {
            throw new ArgumentException($"page source gave {page.Length} bytes for pfn {pfn}, expected {DomainImage.PageSize}");
        }
    }

    public void Dispose()
    {
        _compressor.Dispose();
        _decompressor.Dispose();
    }
}
