using System.Buffers.Binary;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>Blocks and the index of a .xz stream.</summary>
public static partial class XzDecoder
{
    private const int MaxFilters = 4;

    private static DecompressError DecodeBlock(ReadOnlySpan<byte> input, ref int pos, int streamStart, XzCheck check, int checkBytes, OutputBuffer output, out (ulong Unpadded, ulong Uncompressed) record, out string detail)
    {
        record = default;
        int blockStart = pos;
        int headerBytes = (input[pos] + 1) * 4;
        if (input.Length - pos < headerBytes)
        {
            detail = $"the block header at offset {pos} is cut short";
            return DecompressError.Truncated;
        }

        var header = input.Slice(pos, headerBytes);
        if (Crc32.Compute(header[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(header[^4..]))
        {
            detail = $"the block header at offset {pos} fails its CRC32";
            return DecompressError.ChecksumMismatch;
        }

        var error = ParseBlockHeader(header[..^4], out var block, out detail);
        if (error != DecompressError.None)
        {
            return error;
        }

        pos += headerBytes;
        var data = input[pos..];
        if (block.CompressedSize is { } declared)
        {
            if (declared == 0 || declared > (ulong)data.Length)
            {
                detail = $"the block at offset {blockStart} declares {declared} compressed bytes, more than remain";
                return declared == 0 ? DecompressError.BadContainer : DecompressError.Truncated;
            }

            data = data[..(int)declared];
        }

        int outputStart = output.Length;
        error = Lzma2Decoder.Decode(data, block.DictionarySize, output, out int consumed, out detail);
        if (error != DecompressError.None)
        {
            detail = $"block at offset {blockStart}: {detail}";
            return error;
        }

        ulong produced = (ulong)(output.Length - outputStart);
        if ((block.CompressedSize is { } c && c != (ulong)consumed) || (block.UncompressedSize is { } u && u != produced))
        {
            detail = $"the block at offset {blockStart} decoded to sizes other than its header declares";
            return DecompressError.SizeMismatch;
        }

        var decoded = output.Array.AsSpan(outputStart, (int)produced);
        if (block.BcjStartOffset is { } bcjStart)
        {
            BcjX86Decoder.Decode(decoded, bcjStart);
        }

        pos += consumed;
        while ((pos - streamStart) % 4 != 0)
        {
            if (pos >= input.Length || input[pos] != 0)
            {
                detail = $"block padding at offset {pos} is missing or not zero";
                return pos >= input.Length ? DecompressError.Truncated : DecompressError.BadContainer;
            }

            pos++;
        }

        if (input.Length - pos < checkBytes)
        {
            detail = "the stream ends inside a block's check";
            return DecompressError.Truncated;
        }

        error = VerifyCheck(decoded, check, input.Slice(pos, checkBytes), out detail);
        if (error != DecompressError.None)
        {
            detail = $"block at offset {blockStart}: {detail}";
            return error;
        }

        pos += checkBytes;
        record = ((ulong)(headerBytes + consumed + checkBytes), produced);
        return DecompressError.None;
    }

    private static DecompressError ParseBlockHeader(ReadOnlySpan<byte> header, out BlockHeader block, out string detail)
    {
        block = new BlockHeader(null, null, 0, null);
        byte flags = header[1];
        if ((flags & 0x3C) != 0)
        {
            detail = $"block flags 0x{flags:x2} use reserved bits";
            return DecompressError.UnsupportedOption;
        }

        int pos = 2;
        ulong? compressed = null;
        ulong? uncompressed = null;
        if ((flags & 0x40) != 0)
        {
            if (!TryReadVarint(header, ref pos, out ulong v))
            {
                detail = "the block header's compressed size is malformed";
                return DecompressError.BadContainer;
            }

            compressed = v;
        }

        if ((flags & 0x80) != 0)
        {
            if (!TryReadVarint(header, ref pos, out ulong v))
            {
                detail = "the block header's uncompressed size is malformed";
                return DecompressError.BadContainer;
            }

            uncompressed = v;
        }

        int filters = (flags & 3) + 1;
        uint? bcjStart = null;
        for (int i = 0; i < filters; i++)
        {
            if (!TryReadVarint(header, ref pos, out ulong id) || !TryReadVarint(header, ref pos, out ulong propertyBytes) || propertyBytes > (ulong)(header.Length - pos))
            {
                detail = $"filter {i} of the block header is malformed";
                return DecompressError.BadContainer;
            }

            var properties = header.Slice(pos, (int)propertyBytes);
            pos += (int)propertyBytes;
            bool last = i == filters - 1;
            if (last != (id == FilterLzma2))
            {
                detail = last ? $"the last filter is 0x{id:x}, not LZMA2" : "LZMA2 appears before the end of the filter chain";
                return id == FilterLzma2 || id == FilterBcjX86 ? DecompressError.BadContainer : DecompressError.UnsupportedOption;
            }

            if (last)
            {
                if (properties.Length != 1 || Lzma2Decoder.DictionarySize(properties[0]) is not { } size)
                {
                    detail = "the LZMA2 filter properties are invalid";
                    return DecompressError.BadContainer;
                }

                block = block with { DictionarySize = size };
            }
            else if (id == FilterBcjX86 && bcjStart is null && filters == 2)
            {
                if (properties.Length is not (0 or 4))
                {
                    detail = "the x86 BCJ filter properties are invalid";
                    return DecompressError.BadContainer;
                }

                bcjStart = properties.Length == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(properties) : 0;
            }
            else
            {
                detail = $"filter 0x{id:x} is not supported (only x86 BCJ before LZMA2)";
                return DecompressError.UnsupportedOption;
            }
        }

        for (; pos < header.Length; pos++)
        {
            if (header[pos] != 0)
            {
                detail = "the block header's padding is not zero";
                return DecompressError.UnsupportedOption;
            }
        }

        block = block with { CompressedSize = compressed, UncompressedSize = uncompressed, BcjStartOffset = bcjStart };
        detail = "";
        return DecompressError.None;
    }

    private static DecompressError ReadIndex(ReadOnlySpan<byte> input, ref int pos, List<(ulong Unpadded, ulong Uncompressed)> records, out string detail)
    {
        int start = pos;
        pos++;
        if (!TryReadVarint(input, ref pos, out ulong count))
        {
            detail = "the index's record count is malformed or cut short";
            return DecompressError.BadContainer;
        }

        if (count != (ulong)records.Count)
        {
            detail = $"the index lists {count} blocks, the stream has {records.Count}";
            return DecompressError.SizeMismatch;
        }

        foreach (var record in records)
        {
            if (!TryReadVarint(input, ref pos, out ulong unpadded) || !TryReadVarint(input, ref pos, out ulong uncompressed))
            {
                detail = "an index record is malformed or cut short";
                return DecompressError.BadContainer;
            }

            if (unpadded != record.Unpadded || uncompressed != record.Uncompressed)
            {
                detail = "an index record disagrees with the block it describes";
                return DecompressError.SizeMismatch;
            }
        }

        while ((pos - start) % 4 != 0)
        {
            if (pos >= input.Length || input[pos] != 0)
            {
                detail = "the index padding is missing or not zero";
                return pos >= input.Length ? DecompressError.Truncated : DecompressError.BadContainer;
            }

            pos++;
        }

        if (input.Length - pos < 4)
        {
            detail = "the stream ends inside the index CRC32";
            return DecompressError.Truncated;
        }

        if (Crc32.Compute(input[start..pos]) != BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]))
        {
            detail = "the index fails its CRC32";
            return DecompressError.ChecksumMismatch;
        }

        pos += 4;
        detail = "";
        return DecompressError.None;
    }

    private readonly record struct BlockHeader(ulong? CompressedSize, ulong? UncompressedSize, uint DictionarySize, uint? BcjStartOffset);
}
