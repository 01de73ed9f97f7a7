using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

/// <summary>
/// Damaged zstd, lz4, bzip2 and lzop streams are refused as results, never as exceptions: every
/// single-bit flip of a small stream (where the format can notice it), every truncation, and
/// output past the limit.
/// </summary>
public class KernelFormatCorruptionTests
{
    private static readonly byte[] Original = XzTool.TextLike(2_000, 41);

    private static DecompressResult Decode(CompressionFormat format, ReadOnlySpan<byte> data, long limit = XzDecoder.DefaultMaxOutputBytes) => format switch
    {
        CompressionFormat.Zstd => ZstdDecoder.Decode(data, limit),
        CompressionFormat.Lz4 => Lz4LegacyDecoder.Decode(data, limit),
        CompressionFormat.Bzip2 => Bzip2Decoder.Decode(data, limit),
        CompressionFormat.Lzo => LzopDecoder.Decode(data, limit),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>
    /// zstd (content checksum), bzip2 (block and stream CRCs) and lzop (header and data Adler-32)
    /// notice every flipped bit that changes what the stream says. A few bits do not: zstd's
    /// window size and bzip2's block size digit may grow, an entropy table or an LZO match may have
    /// a second encoding of the same data (under 1% of the bits of these streams); such a flip must
    /// then decode to exactly the original bytes.
    /// </summary>
    [CompressorTheory("zstd", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void Every_single_bit_flip_of_a_checked_format_is_refused_or_harmless(CompressionFormat format)
    {
        var compressed = KernelFormats.Compress(format, Original);
        var harmless = new List<int>();
        for (int bit = 0; bit < compressed.Length * 8; bit++)
        {
            var damaged = (byte[])compressed.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            var result = Decode(format, damaged);

            if (result.Succeeded)
            {
                Assert.True(Original.AsSpan().SequenceEqual(result.Data), $"{format}: flipping bit {bit} (byte {bit / 8} of {compressed.Length}) changed the data unnoticed");
                harmless.Add(bit);
            }
            else
            {
                Assert.NotEqual(DecompressError.None, result.Error);
                Assert.NotEmpty(result.Detail);
            }
        }

        Assert.True(harmless.Count * 100 < compressed.Length * 8, $"{format}: {harmless.Count} of {compressed.Length * 8} flips decoded (bits {string.Join(", ", harmless)})");
    }

    /// <summary>
    /// Legacy lz4 has no checksum: a flip inside a literal decodes to a different byte (Linux's
    /// decoder takes it as well). Every flip is still a result, a flip in the magic or the block
    /// size is refused, and whatever decodes has the block's length.
    /// </summary>
    [CompressorFact("lz4")]
    public void Every_single_bit_flip_of_legacy_lz4_is_a_result_and_the_framing_is_checked()
    {
        var compressed = KernelCompressors.Lz4Legacy(Original);
        int refused = 0;
        for (int bit = 0; bit < compressed.Length * 8; bit++)
        {
            var damaged = (byte[])compressed.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            var result = Lz4LegacyDecoder.Decode(damaged);

            if (bit < 64)
            {
                Assert.False(result.Succeeded, $"flipping bit {bit} of the magic or block size went unnoticed");
            }

            if (result.Succeeded)
            {
                Assert.NotEmpty(result.Data!);
            }
            else
            {
                Assert.NotEmpty(result.Detail);
                refused++;
            }
        }

        Assert.True(refused >= 64, $"only {refused} flips were refused");
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void Every_truncation_is_refused(CompressionFormat format)
    {
        var compressed = KernelFormats.Compress(format, Original);
        for (int length = 0; length < compressed.Length; length++)
        {
            // Four bytes of legacy lz4 are its magic alone: the valid stream of no data (the tool writes it for empty input).
            if (format == CompressionFormat.Lz4 && length == 4)
            {
                Assert.Empty(Decode(format, compressed.AsSpan(0, length)).Data!);
                continue;
            }

            var result = Decode(format, compressed.AsSpan(0, length));

            Assert.False(result.Succeeded, $"{format}: a stream cut to {length} of {compressed.Length} bytes was accepted");
            Assert.NotEmpty(result.Detail);
        }
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void Bytes_after_the_stream_are_refused(CompressionFormat format)
    {
        var compressed = KernelFormats.Compress(format, Original);

        var result = Decode(format, [.. compressed, 0x00, 0x13, 0x37, 0x00]);

        Assert.False(result.Succeeded, $"{format}: trailing bytes were accepted");
    }

    /// <summary>A bomb: 64 MiB of zeros compress to little; decoding with a 1 MiB limit stops at the limit and says so.</summary>
    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void Output_past_the_limit_is_refused(CompressionFormat format)
    {
        var bomb = format == CompressionFormat.Zstd ? KernelCompressors.Zstd(new byte[64 << 20], "-3") : KernelFormats.Compress(format, new byte[64 << 20]);

        var result = Decode(format, bomb, limit: 1 << 20);

        Assert.Equal(DecompressError.OutputTooLarge, result.Error);
        Assert.True(bomb.Length < 4 << 20, $"the {format} bomb is {bomb.Length} bytes");
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void A_bzImage_bomb_is_refused_at_the_unwrap_limit(CompressionFormat format)
    {
        var zeros = new byte[16 << 20];
        var image = BzImageFixture.Wrap(KernelFormats.Payload(format, zeros));

        var result = BzImage.Unwrap(image, maxOutputBytes: 1 << 20);

        Assert.Equal(BzImageError.DecompressionFailed, result.Error);
        Assert.Equal(DecompressError.OutputTooLarge, result.Compression);
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void Random_bytes_after_the_header_never_escape_as_exceptions(CompressionFormat format)
    {
        var random = new Random(42);
        var pristine = KernelFormats.Compress(format, XzTool.TextLike(20_000, 43));
        for (int i = 0; i < 300; i++)
        {
            var damaged = (byte[])pristine.Clone();
            int from = random.Next(4, damaged.Length);
            random.NextBytes(damaged.AsSpan(from, Math.Min(16, damaged.Length - from)));

            var result = Decode(format, damaged);

            Assert.True(result.Succeeded || (result.Error != DecompressError.None && result.Detail.Length > 0));
        }
    }
}
