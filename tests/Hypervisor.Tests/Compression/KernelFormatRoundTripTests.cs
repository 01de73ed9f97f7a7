using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

/// <summary>Streams written by Debian's zstd, lz4, bzip2 and lzop decode to the bytes that went in.</summary>
public class KernelFormatRoundTripTests
{
    public static TheoryData<string> Inputs => ["text", "random", "code", "zeros", "empty"];

    private static byte[] Input(string kind) => kind switch
    {
        "text" => XzTool.TextLike(700_000, 31),
        "random" => XzTool.Random(300_000, 32),
        "code" => XzTool.CallHeavy(500_000, 33),
        "zeros" => new byte[3_000_000],
        _ => [],
    };

    [CompressorTheory("zstd")]
    [MemberData(nameof(Inputs))]
    public void Zstd_from_the_zstd_tool_round_trips(string kind)
    {
        var original = Input(kind);

        var result = ZstdDecoder.Decode(KernelCompressors.Zstd(original, level: "-19"));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(original, result.Data);
    }

    [CompressorTheory("lz4")]
    [MemberData(nameof(Inputs))]
    public void Legacy_lz4_from_the_lz4_tool_round_trips(string kind)
    {
        var original = Input(kind);

        var result = Lz4LegacyDecoder.Decode(KernelCompressors.Lz4Legacy(original));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(original, result.Data);
    }

    [CompressorTheory("bzip2")]
    [MemberData(nameof(Inputs))]
    public void Bzip2_from_the_bzip2_tool_round_trips(string kind)
    {
        var original = Input(kind);

        var result = Bzip2Decoder.Decode(KernelCompressors.Bzip2(original));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(original, result.Data);
    }

    [CompressorTheory("lzop")]
    [MemberData(nameof(Inputs))]
    public void Lzop_from_the_lzop_tool_round_trips(string kind)
    {
        var original = Input(kind);

        var result = LzopDecoder.Decode(KernelCompressors.Lzop(original));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(original, result.Data);
    }

    [CompressorFact("lz4")]
    public void Legacy_lz4_past_one_8_MiB_block_round_trips()
    {
        var original = XzTool.TextLike(9 << 20, 34);

        var result = Lz4LegacyDecoder.Decode(KernelCompressors.Lz4Legacy(original, level: "-1"));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(original, result.Data);
    }

    [CompressorFact("zstd")]
    public void Concatenated_zstd_frames_decode_to_the_concatenation()
    {
        var first = XzTool.TextLike(10_000, 35);
        var second = XzTool.TextLike(20_000, 36);

        var result = ZstdDecoder.Decode([.. KernelCompressors.Zstd(first, "-3"), .. KernelCompressors.Zstd(second, "-3")]);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal([.. first, .. second], result.Data!);
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void The_payload_decompressor_recognises_and_decodes_each_tool_s_output(CompressionFormat format)
    {
        var original = XzTool.TextLike(50_000, 37);
        var compressed = KernelFormats.Compress(format, original);

        Assert.Equal(format, PayloadDecompressor.Detect(compressed));
        var result = PayloadDecompressor.Decompress(compressed);
        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(original, result.Data);
    }
}
