using System.Buffers.Binary;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes the legacy .lzma format (what Linux uses for CONFIG_KERNEL_LZMA): a 13-byte header
/// (properties byte, 32-bit dictionary size, 64-bit uncompressed size with all ones meaning
/// unknown) and one LZMA range-coded stream. With an unknown size the stream ends with an end
/// marker; with a known size the marker is optional. Bytes after the stream are left unread.
///
/// Invariants: output never passes the caller's limit; decoding goes at most one segment past
/// the end of the input (the range decoder then reports an overrun), so truncated input is
/// refused without decoding garbage up to the limit.
/// </summary>
public static class LzmaAloneDecoder
{
    private const int HeaderBytes = 13;
    private const int LongestMatch = 273;
    private const int SegmentBytes = 1 << 20;

    public static DecompressResult Decode(ReadOnlySpan<byte> input, long maxOutputBytes = XzDecoder.DefaultMaxOutputBytes, long expectedBytes = 0)
    {
        if (input.Length < HeaderBytes)
        {
            return DecompressResult.Fail(DecompressError.Truncated, "the .lzma header is cut short");
        }

        var lzma = new LzmaDecoder();
        if (!lzma.TrySetProperties(input[0], lzma2: false))
        {
            return DecompressResult.Fail(DecompressError.CorruptData, $"LZMA properties byte 0x{input[0]:x2} is invalid");
        }

        uint dictionarySize = BinaryPrimitives.ReadUInt32LittleEndian(input[1..]);
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(input[5..]);
        bool known = declared != ulong.MaxValue;
        if (known && declared > (ulong)maxOutputBytes)
        {
            return DecompressResult.Fail(DecompressError.OutputTooLarge, $"the .lzma header declares {declared} bytes, more than the output limit");
        }

        lzma.ResetState();
        var rc = new RangeDecoder(input[HeaderBytes..]);
        if (rc.BadStart)
        {
            return DecompressResult.Fail(DecompressError.CorruptData, "the range coder does not start with a zero byte");
        }

        var output = new OutputBuffer(maxOutputBytes, known ? (long)declared : expectedBytes > 0 ? expectedBytes : (long)input.Length * 4);
        var error = known
            ? DecodeKnownSize(lzma, ref rc, output, (int)declared, dictionarySize, out var detail)
            : DecodeToEndMarker(lzma, ref rc, output, dictionarySize, out detail);
        if (error != DecompressError.None)
        {
            return DecompressResult.Fail(error, detail);
        }

        if (rc.Overrun)
        {
            return DecompressResult.Fail(DecompressError.Truncated, "the .lzma data ends before its stream does");
        }

        if (!rc.CodeIsZero)
        {
            return DecompressResult.Fail(DecompressError.CorruptData, "the range coder does not finish cleanly");
        }

        return DecompressResult.Ok(output.ToArray());
    }

    private static DecompressError DecodeKnownSize(LzmaDecoder lzma, ref RangeDecoder rc, OutputBuffer output, int size, uint dictionarySize, out string detail)
    {
        // Room grows a segment at a time, so a header that declares a huge size costs nothing until data backs it.
        int pos = 0;
        detail = "";
        while (pos < size)
        {
            if (!output.Reserve(Math.Min(size - pos, SegmentBytes + LongestMatch)))
            {
                detail = "the declared size passes the output limit";
                return DecompressError.OutputTooLarge;
            }

            int hardEnd = Math.Min(output.Array.Length, size);
            int softEnd = hardEnd == size ? Math.Min(size, pos + SegmentBytes) : Math.Min(pos + SegmentBytes, hardEnd - LongestMatch);
            var error = lzma.Decode(ref rc, output.Array, ref pos, softEnd, hardEnd, 0, Math.Max(dictionarySize, 4096), allowEndMarker: true, out bool endMarker, out detail);
            output.Length = pos;
            if (error != DecompressError.None)
            {
                return error;
            }

            if (endMarker)
            {
                detail = $"the end marker comes after {pos} of the {size} declared bytes";
                return DecompressError.SizeMismatch;
            }

            if (rc.Overrun)
            {
                detail = "the .lzma data ends before the declared size";
                return DecompressError.Truncated;
            }
        }

        if (!rc.CodeIsZero)
        {
            // An optional end marker may follow the declared data; nothing else may.
            var error = lzma.Decode(ref rc, output.Array, ref pos, size + 1, size, 0, Math.Max(dictionarySize, 4096), allowEndMarker: true, out bool endMarker, out detail);
            if (error == DecompressError.None && !endMarker)
            {
                detail = "data continues past the declared size";
                return DecompressError.CorruptData;
            }

            return error;
        }

        return DecompressError.None;
    }

    private static DecompressError DecodeToEndMarker(LzmaDecoder lzma, ref RangeDecoder rc, OutputBuffer output, uint dictionarySize, out string detail)
    {
        int pos = 0;
        while (true)
        {
            if (!output.Reserve(SegmentBytes + LongestMatch))
            {
                detail = "the decompressed data passes the output limit";
                return DecompressError.OutputTooLarge;
            }

            int hardEnd = output.Array.Length;
            int softEnd = Math.Min(hardEnd - LongestMatch, pos + SegmentBytes);
            var error = lzma.Decode(ref rc, output.Array, ref pos, softEnd, hardEnd, 0, Math.Max(dictionarySize, 4096), allowEndMarker: true, out bool endMarker, out detail);
            output.Length = pos;
            if (error != DecompressError.None || endMarker)
            {
                return error;
            }

            if (rc.Overrun)
            {
                detail = "the .lzma data ends before its end marker";
                return DecompressError.Truncated;
            }
        }
    }
}
