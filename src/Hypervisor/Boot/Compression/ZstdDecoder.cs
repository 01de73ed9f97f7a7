using System.Buffers;
using System.Buffers.Binary;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace ActorVisor.Hypervisor.Boot.Compression;

/// <summary>
/// Decodes Zstandard frames (RFC 8878) with ZstdSharp.Port, a maintained C# port of the reference
/// library, behind the loader's guarantees: output goes into an <see cref="OutputBuffer"/> that
/// never grows past the caller's limit, the library's exceptions are caught here and become a
/// <see cref="DecompressError"/> naming the input offset, and the input must be whole frames with
/// nothing after the last one.
///
/// Linux builds a zstd kernel with <c>zstd -22 --ultra</c>, whose frame carries a content
/// checksum (the low 32 bits of XXH64), which the library verifies. The window is bounded by the
/// library's default <c>windowLogMax</c> (2^27 bytes), so a hostile header cannot make it allocate
/// more. Beyond the library, a frame header whose unused bit is set is refused: encoders must
/// clear it, and the library would ignore it, so a flipped bit there would go unnoticed.
/// </summary>
public static class ZstdDecoder
{
    private const uint FrameMagic = 0xFD2FB528;
    private const uint SkippableMagicMask = 0xFFFFFFF0;
    private const uint SkippableMagic = 0x184D2A50;
    private const byte UnusedHeaderBit = 0x10;
    private const int ChunkBytes = 1 << 20;

    /// <summary>True if <paramref name="data"/> starts with a Zstandard frame's magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> data) => data.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(data) == FrameMagic;

    /// <summary>Decodes every frame in <paramref name="input"/>; <paramref name="expectedBytes"/> only sizes the first allocation.</summary>
    public static DecompressResult Decode(ReadOnlySpan<byte> input, long maxOutputBytes = XzDecoder.DefaultMaxOutputBytes, long expectedBytes = 0)
    {
        if (input.Length < 4 || !HasMagic(input))
        {
            return DecompressResult.Fail(DecompressError.BadContainer, "the data does not start with the zstd frame magic");
        }

        var output = new OutputBuffer(maxOutputBytes, expectedBytes > 0 ? expectedBytes : Math.Min((long)input.Length * 4, maxOutputBytes));
        using var decompressor = new Decompressor();
        int pos = 0;
        int frameStart = 0;
        bool atFrameStart = true;
        Span<byte> probe = stackalloc byte[1];
        try
        {
            while (true)
            {
                if (atFrameStart)
                {
                    var header = CheckFrameStart(input, pos);
                    if (header is { } refusal)
                    {
                        return refusal;
                    }

                    frameStart = pos;
                    atFrameStart = false;
                }

                long room = Math.Min(ChunkBytes, maxOutputBytes - output.Length);
                OperationStatus status;
                int consumed;
                int written;
                if (room > 0)
                {
                    if (!output.TryGetRoom(room, out var space))
                    {
                        return DecompressResult.Fail(DecompressError.OutputTooLarge, $"the zstd frame at offset {frameStart} decodes past what one array can hold");
                    }

                    status = decompressor.UnwrapStream(input[pos..], space, out consumed, out written);
                    output.Length += written;
                }
                else
                {
                    status = decompressor.UnwrapStream(input[pos..], probe, out consumed, out written);
                    if (written > 0)
                    {
                        return DecompressResult.Fail(DecompressError.OutputTooLarge, $"the zstd frame at offset {frameStart} decodes past the {maxOutputBytes}-byte output limit");
                    }
                }

                pos += consumed;
                if (status == OperationStatus.Done)
                {
                    if (pos == input.Length)
                    {
                        return DecompressResult.Ok(output.ToArray());
                    }

                    atFrameStart = true;
                    continue;
                }

                if (status == OperationStatus.NeedMoreData && pos == input.Length)
                {
                    return DecompressResult.Fail(DecompressError.Truncated, $"the input ends inside the zstd frame that starts at offset {frameStart}");
                }

                if (consumed == 0 && written == 0 && room > 0)
                {
                    return DecompressResult.Fail(DecompressError.CorruptData, $"the zstd frame at offset {frameStart} makes no progress at offset {pos}");
                }
            }
        }
        catch (ZstdException e)
        {
            return DecompressResult.Fail(Classify(e.Code), $"zstd frame at offset {frameStart}, input offset {pos}: {e.Message}");
        }
    }

    private static DecompressResult? CheckFrameStart(ReadOnlySpan<byte> input, int pos)
    {
        if (input.Length - pos < 4)
        {
            return DecompressResult.Fail(DecompressError.TrailingGarbage, $"{input.Length - pos} bytes at offset {pos} follow the last zstd frame");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(input[pos..]);
        if (magic == FrameMagic)
        {
            if (input.Length - pos > 4 && (input[pos + 4] & UnusedHeaderBit) != 0)
            {
                return DecompressResult.Fail(DecompressError.BadContainer, $"the zstd frame header at offset {pos} has its unused bit set");
            }

            return null;
        }

        if ((magic & SkippableMagicMask) == SkippableMagic)
        {
            return null;
        }

        return DecompressResult.Fail(DecompressError.TrailingGarbage, $"bytes at offset {pos} follow the last zstd frame and start no new one");
    }

    private static DecompressError Classify(ZSTD_ErrorCode code) => code switch
    {
        ZSTD_ErrorCode.ZSTD_error_checksum_wrong => DecompressError.ChecksumMismatch,
        ZSTD_ErrorCode.ZSTD_error_prefix_unknown => DecompressError.BadContainer,
        ZSTD_ErrorCode.ZSTD_error_version_unsupported
            or ZSTD_ErrorCode.ZSTD_error_frameParameter_unsupported
            or ZSTD_ErrorCode.ZSTD_error_frameParameter_windowTooLarge
            or ZSTD_ErrorCode.ZSTD_error_dictionary_wrong => DecompressError.UnsupportedOption,
        ZSTD_ErrorCode.ZSTD_error_srcSize_wrong => DecompressError.SizeMismatch,
        _ => DecompressError.CorruptData,
    };
}
