using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes a bzip2 stream (what Linux's <c>bzip2 -9</c> writes for a bzImage) with SharpCompress's
/// BZip2Stream, which checks each block's CRC and the stream's combined CRC, behind the loader's
/// guarantees: the output is read in chunks into an <see cref="OutputBuffer"/> that never passes
/// the caller's limit, and whatever the library throws on bad input is caught here and becomes a
/// <see cref="DecompressError"/>.
///
/// What the library does not check is checked here: the stream header ("BZh" and a block size
/// digit 1-9), and that the input ends where the stream does, with the 48-bit end-of-stream
/// marker, the 32-bit combined CRC and zero bits only up to the byte boundary. A stream of
/// several concatenated streams (as <c>pbzip2</c> writes) is read as one.
/// </summary>
public static class Bzip2Decoder
{
    private const ulong EndOfStreamMarker = 0x177245385090;
    private const int ChunkBytes = 1 << 20;

    /// <summary>True if <paramref name="data"/> starts with "BZh" and a block size digit.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> data) => data is [(byte)'B', (byte)'Z', (byte)'h', >= (byte)'1' and <= (byte)'9', ..];

    /// <summary>Decodes the whole of <paramref name="input"/>; <paramref name="expectedBytes"/> only sizes the first allocation.</summary>
    public static DecompressResult Decode(ReadOnlySpan<byte> input, long maxOutputBytes = XzDecoder.DefaultMaxOutputBytes, long expectedBytes = 0)
    {
        if (!HasMagic(input))
        {
            return DecompressResult.Fail(DecompressError.BadContainer, "the data does not start with \"BZh\" and a block size digit 1-9");
        }

        if (!EndsWithEndOfStream(input))
        {
            return DecompressResult.Fail(
                input.Length < 14 ? DecompressError.Truncated : DecompressError.BadContainer,
                "the data does not end with bzip2's end-of-stream marker and combined CRC followed by zero padding bits");
        }

        var output = new OutputBuffer(maxOutputBytes, expectedBytes > 0 ? expectedBytes : Math.Min((long)input.Length * 5, maxOutputBytes));
        try
        {
            using var source = new MemoryStream(input.ToArray(), writable: false);
            using var bzip2 = BZip2Stream.Create(source, CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: false, tolerateTruncatedStream: false);
            Span<byte> probe = stackalloc byte[1];
            while (true)
            {
                long room = Math.Min(ChunkBytes, maxOutputBytes - output.Length);
                if (room == 0)
                {
                    if (bzip2.Read(probe) > 0)
                    {
                        return DecompressResult.Fail(DecompressError.OutputTooLarge, $"the bzip2 stream decodes past the {maxOutputBytes}-byte output limit");
                    }

                    break;
                }

                if (!output.TryGetRoom(room, out var space))
                {
                    return DecompressResult.Fail(DecompressError.OutputTooLarge, "the bzip2 stream decodes past what one array can hold");
                }

                int read = bzip2.Read(space);
                if (read == 0)
                {
                    break;
                }

                output.Length += read;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A third-party decoder fed a hostile stream: whatever it throws is a property of the input.
            return DecompressResult.Fail(Classify(e), $"bzip2 after {output.Length} decoded bytes: {e.GetType().Name}: {e.Message}");
        }

        return DecompressResult.Ok(output.ToArray());
    }

    /// <summary>
    /// True if the last bits of <paramref name="input"/> are the end-of-stream marker and a CRC,
    /// followed by 0-7 zero bits to fill the last byte.
    /// </summary>
    private static bool EndsWithEndOfStream(ReadOnlySpan<byte> input)
    {
        if (input.Length < 4 + 10)
        {
            return false;
        }

        // The last 11 bytes hold the 80 bits of marker and CRC plus up to 7 padding bits.
        ulong high = 0;
        for (int i = input.Length - 11; i < input.Length - 3; i++)
        {
            high = (high << 8) | input[i];
        }

        uint low = (uint)((input[^3] << 16) | (input[^2] << 8) | input[^1]);
        for (int padding = 0; padding < 8; padding++)
        {
            if ((low & ((1u << padding) - 1)) != 0)
            {
                continue;
            }

            // Bits 88..0 of the tail, shifted right by the padding: marker is the 48 bits above the CRC's 32.
            UInt128 tail = ((UInt128)high << 24) | low;
            ulong marker = (ulong)(tail >> (padding + 32)) & 0xFFFF_FFFF_FFFF;
            if (marker == EndOfStreamMarker)
            {
                return true;
            }
        }

        return false;
    }

    private static DecompressError Classify(Exception e) => e switch
    {
        EndOfStreamException => DecompressError.Truncated,
        _ when e.Message.Contains("crc", StringComparison.OrdinalIgnoreCase) => DecompressError.ChecksumMismatch,
        _ => DecompressError.CorruptData,
    };
}
