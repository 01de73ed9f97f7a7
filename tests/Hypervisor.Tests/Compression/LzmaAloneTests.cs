using System.Buffers.Binary;
using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

public class LzmaAloneTests
{
    private static readonly byte[] Original = XzTool.TextLike(400_000, 40);

    private static byte[] Lzma(byte[] data, string options = "") => XzTool.Xz("--format=lzma " + options, data);

    [Theory]
    [InlineData("")]
    [InlineData("-0")]
    [InlineData("-9")]
    [InlineData("--lzma1=preset=6,lc=4,lp=0,pb=0")]
    [InlineData("--lzma1=preset=6,lc=0,lp=4,pb=4")]
    public void Lzma_from_xz_with_an_end_marker_round_trips(string options)
    {
        var result = LzmaAloneDecoder.Decode(Lzma(Original, options));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(Original, result.Data);
    }

    [Fact]
    public void Data_longer_than_one_segment_and_incompressible_round_trips()
    {
        var data = XzTool.Random(3_000_000, 41);

        var result = LzmaAloneDecoder.Decode(Lzma(data, "-0"));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(data, result.Data);
    }

    [Fact]
    public void A_declared_size_with_the_optional_end_marker_round_trips()
    {
        var compressed = Lzma(Original);
        BinaryPrimitives.WriteUInt64LittleEndian(compressed.AsSpan(5), (ulong)Original.Length);

        var result = LzmaAloneDecoder.Decode(compressed);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(Original, result.Data);
    }

    [Fact]
    public void A_declared_size_that_is_too_small_or_too_large_is_refused()
    {
        var compressed = Lzma(Original);
        BinaryPrimitives.WriteUInt64LittleEndian(compressed.AsSpan(5), (ulong)Original.Length - 10);
        Assert.False(LzmaAloneDecoder.Decode(compressed).Succeeded);

        BinaryPrimitives.WriteUInt64LittleEndian(compressed.AsSpan(5), (ulong)Original.Length + 10);
        Assert.Equal(DecompressError.SizeMismatch, LzmaAloneDecoder.Decode(compressed).Error);
    }

    [Fact]
    public void A_huge_declared_size_without_data_behind_it_is_truncated_not_allocated()
    {
        var compressed = Lzma(Original);
        BinaryPrimitives.WriteUInt64LittleEndian(compressed.AsSpan(5), 900_000_000);

        var result = LzmaAloneDecoder.Decode(compressed);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Error, new[] { DecompressError.SizeMismatch, DecompressError.Truncated, DecompressError.CorruptData });
    }

    [Fact]
    public void Bytes_after_the_stream_are_left_unread()
    {
        var compressed = Lzma(Original).Concat(new byte[] { 1, 2, 3, 4 }).ToArray();

        var result = LzmaAloneDecoder.Decode(compressed);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(Original, result.Data);
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        var compressed = Lzma(XzTool.TextLike(5_000, 42));
        for (int length = 0; length < compressed.Length; length++)
        {
            Assert.False(LzmaAloneDecoder.Decode(compressed.AsSpan(0, length)).Succeeded, $"cut to {length} bytes");
        }
    }

    [Fact]
    public void Corrupted_data_is_refused_or_differs_and_never_throws()
    {
        var pristine = Lzma(XzTool.TextLike(20_000, 43));
        var expected = XzTool.TextLike(20_000, 43);
        var random = new Random(44);
        for (int i = 0; i < 300; i++)
        {
            var damaged = (byte[])pristine.Clone();
            damaged[random.Next(14, damaged.Length)] ^= (byte)(1 << random.Next(8));

            var result = LzmaAloneDecoder.Decode(damaged, maxOutputBytes: 1 << 20);

            Assert.True(!result.Succeeded || !expected.AsSpan().SequenceEqual(result.Data), "a damaged stream decoded to the original");
        }
    }

    [Fact]
    public void Invalid_properties_and_output_beyond_the_limit_are_refused()
    {
        var compressed = Lzma(Original);
        var bad = (byte[])compressed.Clone();
        bad[0] = 225;
        Assert.Equal(DecompressError.CorruptData, LzmaAloneDecoder.Decode(bad).Error);

        Assert.Equal(DecompressError.OutputTooLarge, LzmaAloneDecoder.Decode(compressed, maxOutputBytes: 100_000).Error);
    }
}
