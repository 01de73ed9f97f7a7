using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

public class GzipAndDetectionTests
{
    [Fact]
    public void Gzip_from_the_gzip_tool_round_trips()
    {
        var data = XzTool.TextLike(100_000, 20);

        var result = PayloadDecompressor.Decompress(XzTool.Gzip(data));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(data, result.Data);
    }

    [Fact]
    public void Corrupt_gzip_is_refused()
    {
        var compressed = XzTool.Gzip(XzTool.TextLike(10_000, 21));
        compressed[compressed.Length / 2] ^= 0xFF;

        var result = PayloadDecompressor.Decompress(compressed);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Error, new[] { DecompressError.CorruptData, DecompressError.ChecksumMismatch });
    }

    [Fact]
    public void Truncated_gzip_is_refused()
    {
        var compressed = XzTool.Gzip(XzTool.TextLike(10_000, 22));

        var result = PayloadDecompressor.Decompress(compressed.AsSpan(0, compressed.Length - 100));

        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Gzip_beyond_the_limit_is_refused()
    {
        var result = PayloadDecompressor.Decompress(XzTool.Gzip(new byte[1 << 20]), maxOutputBytes: 1000);

        Assert.Equal(DecompressError.OutputTooLarge, result.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 }, CompressionFormat.Xz)]
    [InlineData(new byte[] { 0x1F, 0x8B, 0x08 }, CompressionFormat.Gzip)]
    [InlineData(new byte[] { 0x42, 0x5A, 0x68, 0x39 }, CompressionFormat.Bzip2)]
    [InlineData(new byte[] { 0x5D, 0x00, 0x00, 0x80, 0x00 }, CompressionFormat.Lzma)]
    [InlineData(new byte[] { 0x89, 0x4C, 0x5A, 0x4F }, CompressionFormat.Lzo)]
    [InlineData(new byte[] { 0x02, 0x21, 0x4C, 0x18 }, CompressionFormat.Lz4)]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, CompressionFormat.Zstd)]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46 }, CompressionFormat.Unknown)]
    public void Formats_are_recognised_by_magic(byte[] start, CompressionFormat expected)
    {
        Assert.Equal(expected, PayloadDecompressor.Detect(start));
    }

    [Fact]
    public void Data_with_no_known_magic_is_an_unknown_format()
    {
        var result = PayloadDecompressor.Decompress("\u007FELF and more"u8);

        Assert.Equal(DecompressError.UnknownFormat, result.Error);
    }

    [Fact]
    public void A_bzip2_header_over_garbage_is_refused_by_the_bzip2_decoder()
    {
        var result = PayloadDecompressor.Decompress("BZh91AY&SY and more bytes"u8);

        Assert.False(result.Succeeded);
        Assert.Contains("bzip2", result.Detail);
    }
}
