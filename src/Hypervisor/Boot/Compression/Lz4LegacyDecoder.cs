using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes LZ4's legacy frame, the one Linux builds its kernels with (<c>lz4 -l -9</c>) and the one
/// its boot decompressor (lib/decompress_unlz4.c) reads: the magic 0x184C2102 (little-endian),
/// then blocks, each a little-endian 32-bit compressed size and an independent LZ4 block that
/// decodes to at most 8 MiB. A size equal to the magic starts another concatenated stream. The
/// framing is ours (no maintained library reads the legacy frame); each block is decoded by
/// K4os.Compression.LZ4's bounds-checked block decoder, which reports bad input as a negative
/// length rather than an exception.
///
/// Invariants: a block's size must fit in what is left of the input and within LZ4's bound for
/// an 8 MiB block; a block must decode inside 8 MiB and the output limit; every block but the last
/// of a stream decodes to exactly 8 MiB (the lz4 tool fills each block); the input position only
/// moves forward. The format has no checksum: a flipped literal byte decodes to a different byte,
/// as it does for Linux, so only the bzImage's appended size and the ELF check stand behind it.
/// </summary>
public static class Lz4LegacyDecoder
{
    /// <summary>The legacy frame's magic, as a little-endian 32-bit word.</summary>
    public const uint Magic = 0x184C2102;

    /// <summary>Every block but the last of a stream decodes to this many bytes.</summary>
    public const int BlockBytes = 8 << 20;

    private static readonly int MaxCompressedBlockBytes = LZ4Codec.MaximumOutputSize(BlockBytes);

    /// <summary>True if <paramref name="data"/> starts with the legacy frame's magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> data) => data.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(data) == Magic;

    /// <summary>Decodes the whole of <paramref name="input"/>; <paramref name="expectedBytes"/> only sizes the first allocation.</summary>
    public static DecompressResult Decode(ReadOnlySpan<byte> input, long maxOutputBytes = XzDecoder.DefaultMaxOutputBytes, long expectedBytes = 0)
    {
        if (!HasMagic(input))
        {
            return DecompressResult.Fail(DecompressError.BadContainer, "the data does not start with the legacy lz4 magic 0x184C2102");
        }

        var output = new OutputBuffer(maxOutputBytes, expectedBytes > 0 ? expectedBytes : Math.Min((long)input.Length * 4, maxOutputBytes));
        int pos = 4;
        int shortBlockAt = -1;
        byte[]? scratch = null;
        while (pos < input.Length)
        {
            if (input.Length - pos < 4)
            {
                return DecompressResult.Fail(DecompressError.Truncated, $"{input.Length - pos} bytes at offset {pos} are too few for a block size");
            }

            uint size = BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]);
            if (size == Magic)
            {
                shortBlockAt = -1;
                pos += 4;
                continue;
            }

            if (shortBlockAt >= 0)
            {
                return DecompressResult.Fail(DecompressError.CorruptData, $"the block at offset {shortBlockAt} decoded to less than 8 MiB but is not the last of its stream");
            }

            if (size == 0 || size > MaxCompressedBlockBytes)
            {
                return DecompressResult.Fail(DecompressError.CorruptData, $"the block at offset {pos} claims {size} compressed bytes (1 to {MaxCompressedBlockBytes} allowed)");
            }

            if (size > input.Length - pos - 4)
            {
                return DecompressResult.Fail(DecompressError.Truncated, $"the block at offset {pos} claims {size} bytes, but only {input.Length - pos - 4} follow");
            }

            long room = Math.Min(BlockBytes, maxOutputBytes - output.Length);
            if (room <= 0)
            {
                return DecompressResult.Fail(DecompressError.OutputTooLarge, $"the block at offset {pos} would pass the {maxOutputBytes}-byte output limit");
            }

            // A block's decoded size is known only after decoding it: straight into the output when
            // the array has room for a whole block, else through a scratch block (the last one, when
            // the array was sized to the expected output), so that the array is never grown for nothing.
            var block = input.Slice(pos + 4, (int)size);
            int decoded;
            if (output.Array.Length - output.Length >= room)
            {
                decoded = LZ4Codec.Decode(block, output.Array.AsSpan(output.Length, (int)room));
            }
            else
            {
                scratch ??= new byte[BlockBytes];
                decoded = LZ4Codec.Decode(block, scratch.AsSpan(0, (int)room));
                if (decoded > 0 && !output.Reserve(decoded))
                {
                    return DecompressResult.Fail(DecompressError.OutputTooLarge, $"the block at offset {pos} decodes past what one array can hold");
                }

                if (decoded > 0)
                {
                    scratch.AsSpan(0, decoded).CopyTo(output.Array.AsSpan(output.Length));
                }
            }

            if (decoded < 0)
            {
                return room < BlockBytes
                    ? DecompressResult.Fail(DecompressError.OutputTooLarge, $"the block at offset {pos} is corrupt or decodes past the {maxOutputBytes}-byte output limit")
                    : DecompressResult.Fail(DecompressError.CorruptData, $"the lz4 block at offset {pos} ({size} bytes) is corrupt");
            }

            if (decoded < BlockBytes)
            {
                shortBlockAt = pos;
            }

            output.Length += decoded;
            pos += 4 + (int)size;
        }

        return DecompressResult.Ok(output.ToArray());
    }
}
