using System.Buffers.Binary;
using System.IO.Compression;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Recognises a compressed kernel payload by its magic and decompresses it: the seven formats
/// Linux builds bzImages with and Xen's domain builder loads. xz, legacy .lzma, legacy lz4 framing,
/// lzop and LZO1X are our own decoders; gzip is the BCL's deflate (the gzip trailer's CRC32 and
/// size verified here); zstd is ZstdSharp.Port and bzip2 SharpCompress, each wrapped so that its
/// output is bounded and its exceptions become results.
/// </summary>
public static class PayloadDecompressor
{
    public static CompressionFormat Detect(ReadOnlySpan<byte> data)
    {
        if (XzDecoder.HasMagic(data))
        {
            return CompressionFormat.Xz;
        }

        return data switch
        {
            [0x1F, 0x8B, ..] => CompressionFormat.Gzip,
            [(byte)'B', (byte)'Z', (byte)'h', ..] => CompressionFormat.Bzip2,
            [0x5D, 0x00, 0x00, ..] => CompressionFormat.Lzma,
            [0x89, 0x4C, 0x5A, 0x4F, ..] => CompressionFormat.Lzo,
            [0x02, 0x21, 0x4C, 0x18, ..] => CompressionFormat.Lz4,
            [0x28, 0xB5, 0x2F, 0xFD, ..] => CompressionFormat.Zstd,
            _ => CompressionFormat.Unknown,
        };
    }

    /// <summary>
    /// Decompresses one payload. Only the first .xz stream is decoded, and a .lzma stream ends at
    /// its end marker or size, because Linux appends the decompressed size as four little-endian
    /// bytes after them; zstd, lz4, bzip2 and lzop data must be given without that size (see
    /// <see cref="BzImage"/>) and are decoded to their end, with nothing allowed after it.
    /// <paramref name="expectedBytes"/> (0 if unknown) only sizes the first allocation.
    /// </summary>
    public static DecompressResult Decompress(ReadOnlySpan<byte> data, long maxOutputBytes = XzDecoder.DefaultMaxOutputBytes, long expectedBytes = 0)
    {
        var format = Detect(data);
        return format switch
        {
            CompressionFormat.Xz => XzDecoder.Decode(data, maxOutputBytes, singleStream: true, expectedBytes),
            CompressionFormat.Gzip => DecodeGzip(data, maxOutputBytes),
            CompressionFormat.Lzma => LzmaAloneDecoder.Decode(data, maxOutputBytes, expectedBytes),
            CompressionFormat.Zstd => ZstdDecoder.Decode(data, maxOutputBytes, expectedBytes),
            CompressionFormat.Lz4 => Lz4LegacyDecoder.Decode(data, maxOutputBytes, expectedBytes),
            CompressionFormat.Bzip2 => Bzip2Decoder.Decode(data, maxOutputBytes, expectedBytes),
            CompressionFormat.Lzo => LzopDecoder.Decode(data, maxOutputBytes, expectedBytes),
            _ => DecompressResult.Fail(DecompressError.UnknownFormat, "the payload starts with no known compression magic"),
        };
    }

    private static DecompressResult DecodeGzip(ReadOnlySpan<byte> data, long maxOutputBytes)
    {
        if (data.Length < 18)
        {
            return DecompressResult.Fail(DecompressError.Truncated, "the gzip data is shorter than its header and trailer");
        }

        using var result = new MemoryStream();
        try
        {
            using var gzip = new GZipStream(new MemoryStream(data.ToArray(), writable: false), CompressionMode.Decompress);
            var chunk = new byte[1 << 16];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (result.Length + read > maxOutputBytes)
                {
                    return DecompressResult.Fail(DecompressError.OutputTooLarge, "the decompressed data passes the output limit");
                }

                result.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            return DecompressResult.Fail(DecompressError.CorruptData, $"gzip: {e.Message}");
        }

        var output = result.ToArray();
        uint storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(data[^8..]);
        uint storedSize = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
        if (storedSize != (uint)output.Length || storedCrc != Crc32.Compute(output))
        {
            return DecompressResult.Fail(DecompressError.ChecksumMismatch, "the gzip trailer's CRC32 or size does not match the decoded data (or the data is cut short)");
        }

        return DecompressResult.Ok(output);
    }
}
