using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

public class XzCorruptionTests
{
    private static readonly byte[] Original = XzTool.TextLike(3_000, 11);

    [Theory]
    [InlineData("--check=crc32")]
    [InlineData("--check=crc64 --x86 --lzma2")]
    public void Every_single_bit_flip_is_refused(string options)
    {
        var compressed = XzTool.Xz(options, Original);
        for (int bit = 0; bit < compressed.Length * 8; bit++)
        {
            var damaged = (byte[])compressed.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));

            var result = XzDecoder.Decode(damaged);

            Assert.False(result.Succeeded, $"flipping bit {bit} went unnoticed");
            Assert.NotEqual(DecompressError.None, result.Error);
            Assert.NotEmpty(result.Detail);
        }
    }

    [Fact]
    public void A_flip_in_the_data_is_reported_as_a_check_mismatch_or_corrupt_data()
    {
        var compressed = XzTool.Xz("--check=crc64", Original);
        compressed[compressed.Length / 2] ^= 0x10;

        var result = XzDecoder.Decode(compressed);

        Assert.Contains(result.Error, new[] { DecompressError.ChecksumMismatch, DecompressError.CorruptData });
    }

    [Fact]
    public void A_flipped_stored_check_is_a_check_mismatch()
    {
        var compressed = XzTool.Xz("--check=crc64", Original);
        int footerAndIndex = 12 + 12;
        compressed[compressed.Length - footerAndIndex - 1] ^= 1;

        var result = XzDecoder.Decode(compressed);

        Assert.Equal(DecompressError.ChecksumMismatch, result.Error);
        Assert.Contains("Crc64", result.Detail);
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        var compressed = XzTool.Xz("--check=crc32 --block-size=1000", Original);
        for (int length = 0; length < compressed.Length; length++)
        {
            var result = XzDecoder.Decode(compressed.AsSpan(0, length));

            Assert.False(result.Succeeded, $"a stream cut to {length} bytes was accepted");
        }
    }

    [Fact]
    public void Random_bytes_after_the_magic_never_escape_as_exceptions()
    {
        var random = new Random(12);
        var pristine = XzTool.Xz("--check=none", XzTool.TextLike(500, 12));
        for (int i = 0; i < 2000; i++)
        {
            var compressed = (byte[])pristine.Clone();
            int from = random.Next(12, compressed.Length);
            random.NextBytes(compressed.AsSpan(from, Math.Min(8, compressed.Length - from)));

            var result = XzDecoder.Decode(compressed);

            Assert.True(result.Succeeded || result.Error != DecompressError.None);
        }
    }

    [Fact]
    public void Garbage_lzma_data_with_valid_headers_is_refused_without_exceptions()
    {
        var random = new Random(13);
        var compressed = XzTool.Xz("--check=none", XzTool.TextLike(20_000, 13));
        int blockData = 12 + ((compressed[12] + 1) * 4);
        for (int i = 0; i < 300; i++)
        {
            var damaged = (byte[])compressed.Clone();
            random.NextBytes(damaged.AsSpan(blockData + 6, 200));

            var result = XzDecoder.Decode(damaged);

            Assert.False(result.Succeeded);
        }
    }

    [Fact]
    public void Output_beyond_the_limit_is_refused()
    {
        var compressed = XzTool.Xz("", new byte[1 << 20]);

        var result = XzDecoder.Decode(compressed, maxOutputBytes: 100_000);

        Assert.Equal(DecompressError.OutputTooLarge, result.Error);
    }

    [Fact]
    public void Bytes_after_the_last_stream_are_trailing_garbage()
    {
        var compressed = XzTool.Xz("", Original).Concat(new byte[] { 0, 0, 0, 0, 1, 2, 3, 4 }).ToArray();

        Assert.Equal(DecompressError.TrailingGarbage, XzDecoder.Decode(compressed).Error);
    }

    [Fact]
    public void Stream_padding_that_is_not_a_multiple_of_four_is_refused()
    {
        var compressed = XzTool.Xz("", Original).Concat(new byte[3]).ToArray();

        Assert.Equal(DecompressError.BadContainer, XzDecoder.Decode(compressed).Error);
    }

    [Fact]
    public void An_unknown_filter_is_unsupported_not_corrupt()
    {
        var compressed = XzTool.Xz("--delta=dist=4 --lzma2", Original);

        var result = XzDecoder.Decode(compressed);

        Assert.Equal(DecompressError.UnsupportedOption, result.Error);
    }
}
