using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes the .xz container: one or more streams, each a 12-byte header (magic, flags naming
/// the check, CRC32 of the flags), blocks, an index listing every block's sizes and a 12-byte
/// footer (CRC32, index size, the same flags, "YZ"), separated by stream padding (zero bytes in
/// multiples of four). A block is a header (size, flags, optional sizes, filter chain, CRC32),
/// the compressed data, zero padding to four bytes and the check of its uncompressed data.
///
/// Invariants: nothing is trusted before its CRC32 was verified; each block's decoded size and
/// compressed size must agree with its header (when given) and with the index; the output never
/// exceeds the caller's limit; every input position only moves forward, so decoding ends.
/// </summary>
public static partial class XzDecoder
{
    /// <summary>The default output limit: far above any kernel, far below what would hurt the host.</summary>
    public const long DefaultMaxOutputBytes = 1L << 30;

    private const int StreamHeaderBytes = 12;
    private const int StreamFooterBytes = 12;
    private const ulong FilterBcjX86 = 0x04;
    private const ulong FilterLzma2 = 0x21;

    private static ReadOnlySpan<byte> HeaderMagic => [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00];

    private static ReadOnlySpan<byte> FooterMagic => [0x59, 0x5A];

    /// <summary>True if <paramref name="data"/> starts with the .xz stream header magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> data) => data.StartsWith(HeaderMagic);

    /// <summary>
    /// Decodes every stream in <paramref name="input"/> (or only the first when
    /// <paramref name="singleStream"/> is set, leaving whatever follows it unread) and returns
    /// the concatenated data. <paramref name="expectedBytes"/> only sizes the first allocation.
    /// </summary>
    public static DecompressResult Decode(ReadOnlySpan<byte> input, long maxOutputBytes = DefaultMaxOutputBytes, bool singleStream = false, long expectedBytes = 0)
    {
        var output = new OutputBuffer(maxOutputBytes, expectedBytes > 0 ? expectedBytes : Math.Min((long)input.Length * 4, maxOutputBytes));
        int pos = 0;
        while (true)
        {
            var error = DecodeStream(input, ref pos, output, out var detail);
            if (error != DecompressError.None)
            {
                return DecompressResult.Fail(error, detail);
            }

            if (singleStream)
            {
                return DecompressResult.Ok(output.ToArray());
            }

            int padding = 0;
            while (pos + padding < input.Length && input[pos + padding] == 0)
            {
                padding++;
            }

            if (pos + padding == input.Length || HasMagic(input[(pos + padding)..]))
            {
                if (padding % 4 != 0)
                {
                    return DecompressResult.Fail(DecompressError.BadContainer, $"stream padding of {padding} bytes is not a multiple of four");
                }

                pos += padding;
                if (pos == input.Length)
                {
                    return DecompressResult.Ok(output.ToArray());
                }

                continue;
            }

            return DecompressResult.Fail(DecompressError.TrailingGarbage, $"bytes at offset {pos + padding} are neither stream padding nor a new stream");
        }
    }

    private static DecompressError DecodeStream(ReadOnlySpan<byte> input, ref int pos, OutputBuffer output, out string detail)
    {
        int streamStart = pos;
        if (input.Length - pos < StreamHeaderBytes)
        {
            detail = $"no room for a stream header at offset {pos}";
            return DecompressError.Truncated;
        }

        var header = input.Slice(pos, StreamHeaderBytes);
        if (!header.StartsWith(HeaderMagic))
        {
            detail = $"offset {pos} does not hold the .xz magic";
            return DecompressError.BadContainer;
        }

        if (Crc32.Compute(header.Slice(6, 2)) != BinaryPrimitives.ReadUInt32LittleEndian(header[8..]))
        {
            detail = "the stream header's CRC32 does not match";
            return DecompressError.ChecksumMismatch;
        }

        if (header[6] != 0 || (header[7] & 0xF0) != 0)
        {
            detail = $"stream flags {header[6]:x2}{header[7]:x2} use reserved bits";
            return DecompressError.UnsupportedOption;
        }

        var check = (XzCheck)header[7];
        int checkBytes = check switch
        {
            XzCheck.None => 0,
            XzCheck.Crc32 => 4,
            XzCheck.Crc64 => 8,
            XzCheck.Sha256 => 32,
            _ => -1,
        };
        if (checkBytes < 0)
        {
            detail = $"check type {(int)check} is not supported";
            return DecompressError.UnsupportedOption;
        }

        pos += StreamHeaderBytes;
        var records = new List<(ulong Unpadded, ulong Uncompressed)>();
        while (true)
        {
            if (pos >= input.Length)
            {
                detail = "the stream ends before its index";
                return DecompressError.Truncated;
            }

            if (input[pos] == 0)
            {
                break;
            }

            var error = DecodeBlock(input, ref pos, streamStart, check, checkBytes, output, out var record, out detail);
            if (error != DecompressError.None)
            {
                return error;
            }

            records.Add(record);
        }

        int indexStart = pos;
        var indexError = ReadIndex(input, ref pos, records, out detail);
        if (indexError != DecompressError.None)
        {
            return indexError;
        }

        return ReadFooter(input, ref pos, header.Slice(6, 2), pos - indexStart, out detail);
    }

    private static DecompressError ReadFooter(ReadOnlySpan<byte> input, ref int pos, ReadOnlySpan<byte> streamFlags, int indexBytes, out string detail)
    {
        if (input.Length - pos < StreamFooterBytes)
        {
            detail = "the stream ends before its footer";
            return DecompressError.Truncated;
        }

        var footer = input.Slice(pos, StreamFooterBytes);
        if (!footer[10..].SequenceEqual(FooterMagic))
        {
            detail = "the stream footer does not end with \"YZ\"";
            return DecompressError.BadContainer;
        }

        if (Crc32.Compute(footer.Slice(4, 6)) != BinaryPrimitives.ReadUInt32LittleEndian(footer))
        {
            detail = "the stream footer's CRC32 does not match";
            return DecompressError.ChecksumMismatch;
        }

        if (!footer.Slice(8, 2).SequenceEqual(streamFlags))
        {
            detail = "the stream footer's flags differ from the header's";
            return DecompressError.BadContainer;
        }

        long backwardSize = ((long)BinaryPrimitives.ReadUInt32LittleEndian(footer[4..]) + 1) * 4;
        if (backwardSize != indexBytes)
        {
            detail = $"the footer gives an index of {backwardSize} bytes, the index has {indexBytes}";
            return DecompressError.SizeMismatch;
        }

        pos += StreamFooterBytes;
        detail = "";
        return DecompressError.None;
    }

    private static DecompressError VerifyCheck(ReadOnlySpan<byte> data, XzCheck check, ReadOnlySpan<byte> stored, out string detail)
    {
        bool matches = check switch
        {
            XzCheck.None => true,
            XzCheck.Crc32 => Crc32.Compute(data) == BinaryPrimitives.ReadUInt32LittleEndian(stored),
            XzCheck.Crc64 => Crc64.Compute(data) == BinaryPrimitives.ReadUInt64LittleEndian(stored),
            _ => SHA256.HashData(data).AsSpan().SequenceEqual(stored),
        };
        detail = matches ? "" : $"the block's {check} check does not match its decoded data";
        return matches ? DecompressError.None : DecompressError.ChecksumMismatch;
    }

    /// <summary>Reads a .xz variable-length integer: 7 bits per byte, low first, at most 9 bytes, no needless zero byte.</summary>
    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (int i = 0; i < 9; i++)
        {
            if (pos >= data.Length)
            {
                return false;
            }

            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                return i == 0 || b != 0;
            }
        }

        return false;
    }
}
