using System.Buffers.Binary;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes an lzop file, what Linux's <c>lzop -9</c> writes for a bzImage, with our own container
/// reader and <see cref="Lzo1xDecoder"/> (no maintained .NET library reads lzop or LZO1X).
///
/// Layout (all integers big-endian): the 9-byte magic 89 4C 5A 4F 00 0D 0A 1A 0A; a header of
/// version, library version, version needed to extract and level (the last two from version
/// 0x0940 on), method (1-3, all LZO1X), flags, filter (only with F_H_FILTER), mode, mtime low,
/// mtime high (from 0x0940 on), a name of up to 255 bytes and a checksum of everything from the
/// version to the name (CRC32 with F_H_CRC32, else Adler-32). Then blocks: uncompressed size
/// (0 ends the file), compressed size, the uncompressed data's Adler-32 and/or CRC32 (F_ADLER32_D,
/// F_CRC32_D), the compressed data's (F_ADLER32_C, F_CRC32_C, only for a block that compressed),
/// and the data, stored as is when both sizes are equal.
///
/// Invariants: every checksum the flags announce is verified, the header's before anything in it
/// is used; a block decodes to at most 256 KiB (lzop's block size, the limit of Linux's and Xen's
/// decoders) and within the output limit; nothing may follow the end marker. Filters, extra
/// header fields and multi-part files, which lzop -9 never writes, are refused.
/// </summary>
public static class LzopDecoder
{
    /// <summary>The largest block Linux's decoder accepts; lzop writes blocks of this size.</summary>
    public const int MaxBlockBytes = 256 * 1024;

    private const uint AdlerData = 0x1;
    private const uint AdlerCompressed = 0x2;
    private const uint ExtraField = 0x40;
    private const uint Crc32Data = 0x100;
    private const uint Crc32Compressed = 0x200;
    private const uint Multipart = 0x400;
    private const uint Filter = 0x800;
    private const uint HeaderCrc32 = 0x1000;
    private const ushort VersionWithLevel = 0x0940;

    private static ReadOnlySpan<byte> FileMagic => [0x89, 0x4C, 0x5A, 0x4F, 0x00, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>True if <paramref name="data"/> starts with lzop's 9-byte magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> data) => data.StartsWith(FileMagic);

    /// <summary>Decodes the whole of <paramref name="input"/>; <paramref name="expectedBytes"/> only sizes the first allocation.</summary>
    public static DecompressResult Decode(ReadOnlySpan<byte> input, long maxOutputBytes = XzDecoder.DefaultMaxOutputBytes, long expectedBytes = 0)
    {
        if (!HasMagic(input))
        {
            return DecompressResult.Fail(DecompressError.BadContainer, "the data does not start with lzop's magic");
        }

        var headerError = ReadHeader(input, out int pos, out uint flags, out string detail);
        if (headerError != DecompressError.None)
        {
            return DecompressResult.Fail(headerError, detail);
        }

        var output = new OutputBuffer(maxOutputBytes, expectedBytes > 0 ? expectedBytes : Math.Min((long)input.Length * 3, maxOutputBytes));
        while (true)
        {
            int blockAt = pos;
            if (input.Length - pos < 4)
            {
                return DecompressResult.Fail(DecompressError.Truncated, $"the input ends at offset {pos} before the end marker");
            }

            uint plainBytes = BinaryPrimitives.ReadUInt32BigEndian(input[pos..]);
            pos += 4;
            if (plainBytes == 0)
            {
                return pos == input.Length
                    ? DecompressResult.Ok(output.ToArray())
                    : DecompressResult.Fail(DecompressError.TrailingGarbage, $"{input.Length - pos} bytes follow the end marker at offset {blockAt}");
            }

            if (plainBytes > MaxBlockBytes)
            {
                return DecompressResult.Fail(DecompressError.CorruptData, $"the block at offset {blockAt} claims {plainBytes} bytes, more than lzop's {MaxBlockBytes}-byte block");
            }

            if (input.Length - pos < 4)
            {
                return DecompressResult.Fail(DecompressError.Truncated, $"the block at offset {blockAt} lacks its compressed size");
            }

            uint packedBytes = BinaryPrimitives.ReadUInt32BigEndian(input[pos..]);
            pos += 4;
            if (packedBytes == 0 || packedBytes > plainBytes)
            {
                return DecompressResult.Fail(DecompressError.CorruptData, $"the block at offset {blockAt} claims {packedBytes} compressed bytes for {plainBytes} (1 to {plainBytes} allowed)");
            }

            bool compressed = packedBytes < plainBytes;
            int checks = ((flags & AdlerData) != 0 ? 1 : 0) + ((flags & Crc32Data) != 0 ? 1 : 0)
                + (compressed ? ((flags & AdlerCompressed) != 0 ? 1 : 0) + ((flags & Crc32Compressed) != 0 ? 1 : 0) : 0);
            if (input.Length - pos < (checks * 4L) + packedBytes)
            {
                return DecompressResult.Fail(DecompressError.Truncated, $"the block at offset {blockAt} runs past the input's end");
            }

            var sums = input.Slice(pos, checks * 4);
            pos += checks * 4;
            var packed = input.Slice(pos, (int)packedBytes);
            pos += (int)packedBytes;
            if (maxOutputBytes - output.Length < plainBytes || !output.Reserve(plainBytes))
            {
                return DecompressResult.Fail(DecompressError.OutputTooLarge, $"the block at offset {blockAt} would pass the {maxOutputBytes}-byte output limit");
            }

            var plain = output.Array.AsSpan(output.Length, (int)plainBytes);
            int sumAt = 0;
            uint? wantAdlerData = (flags & AdlerData) != 0 ? NextSum(sums, ref sumAt) : null;
            uint? wantCrcData = (flags & Crc32Data) != 0 ? NextSum(sums, ref sumAt) : null;
            if (compressed)
            {
                if ((flags & AdlerCompressed) != 0 && NextSum(sums, ref sumAt) != Adler32.Compute(packed))
                {
                    return DecompressResult.Fail(DecompressError.ChecksumMismatch, $"the Adler-32 of the block at offset {blockAt}'s compressed data does not match");
                }

                if ((flags & Crc32Compressed) != 0 && NextSum(sums, ref sumAt) != Crc32.Compute(packed))
                {
                    return DecompressResult.Fail(DecompressError.ChecksumMismatch, $"the CRC32 of the block at offset {blockAt}'s compressed data does not match");
                }

                var error = Lzo1xDecoder.Decode(packed, plain, out detail);
                if (error != DecompressError.None)
                {
                    return DecompressResult.Fail(error, $"the LZO1X block at offset {blockAt}: {detail}");
                }
            }
            else
            {
                packed.CopyTo(plain);
            }

            if (wantAdlerData is { } adler && adler != Adler32.Compute(plain))
            {
                return DecompressResult.Fail(DecompressError.ChecksumMismatch, $"the Adler-32 of the block at offset {blockAt}'s decoded data does not match");
            }

            if (wantCrcData is { } crc && crc != Crc32.Compute(plain))
            {
                return DecompressResult.Fail(DecompressError.ChecksumMismatch, $"the CRC32 of the block at offset {blockAt}'s decoded data does not match");
            }

            output.Length += (int)plainBytes;
        }
    }

    private static uint NextSum(ReadOnlySpan<byte> sums, ref int at)
    {
        uint value = BinaryPrimitives.ReadUInt32BigEndian(sums[at..]);
        at += 4;
        return value;
    }

    private static DecompressError ReadHeader(ReadOnlySpan<byte> input, out int pos, out uint flags, out string detail)
    {
        const int Start = 9;
        pos = Start;
        flags = 0;

        // Version, library version and method come first; what follows depends on the version and flags.
        if (input.Length < Start + 7)
        {
            detail = "the input ends inside lzop's header";
            return DecompressError.Truncated;
        }

        ushort version = BinaryPrimitives.ReadUInt16BigEndian(input[pos..]);
        bool leveled = version >= VersionWithLevel;
        int flagsAt = pos + 2 + 2 + (leveled ? 2 : 0) + 1 + (leveled ? 1 : 0);
        if (input.Length < flagsAt + 4)
        {
            detail = "the input ends inside lzop's header";
            return DecompressError.Truncated;
        }

        uint announced = BinaryPrimitives.ReadUInt32BigEndian(input[flagsAt..]);
        int nameLengthAt = flagsAt + 4 + ((announced & Filter) != 0 ? 4 : 0) + 4 + 4 + (leveled ? 4 : 0);
        if (input.Length < nameLengthAt + 1 || input.Length < nameLengthAt + 1 + input[nameLengthAt] + 4)
        {
            detail = "the input ends inside lzop's header";
            return DecompressError.Truncated;
        }

        int checksumAt = nameLengthAt + 1 + input[nameLengthAt];
        var covered = input[Start..checksumAt];
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(input[checksumAt..]);
        uint computed = (announced & HeaderCrc32) != 0 ? Crc32.Compute(covered) : Adler32.Compute(covered);
        if (stored != computed)
        {
            detail = $"the {((announced & HeaderCrc32) != 0 ? "CRC32" : "Adler-32")} of lzop's header does not match";
            return DecompressError.ChecksumMismatch;
        }

        int methodAt = Start + 2 + 2 + (leveled ? 2 : 0);
        byte method = input[methodAt];
        if (method is < 1 or > 3)
        {
            detail = $"lzop method {method} is not LZO1X (1, 2 or 3)";
            return DecompressError.UnsupportedOption;
        }

        if ((announced & (Filter | ExtraField | Multipart)) != 0)
        {
            detail = $"lzop flags 0x{announced:x8} ask for a filter, an extra header field or a multi-part file, which lzop -9 never writes";
            return DecompressError.UnsupportedOption;
        }

        flags = announced;
        pos = checksumAt + 4;
        detail = "";
        return DecompressError.None;
    }
}
