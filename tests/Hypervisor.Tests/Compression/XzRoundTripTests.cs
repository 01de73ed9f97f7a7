using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

public class XzRoundTripTests
{
    private static void AssertDecodes(byte[] original, byte[] compressed)
    {
        var result = XzDecoder.Decode(compressed);
        Assert.True(result.Succeeded, $"{result.Error}: {result.Detail}");
        Assert.Equal(original.Length, result.Data!.Length);
        Assert.True(original.AsSpan().SequenceEqual(result.Data), "decoded bytes differ from the original");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("crc32")]
    [InlineData("crc64")]
    [InlineData("sha256")]
    public void Each_check_type_round_trips(string check)
    {
        var data = XzTool.TextLike(200_000, 1);
        AssertDecodes(data, XzTool.Xz($"--format=xz --check={check}", data));
    }

    [Theory]
    [InlineData("-0")]
    [InlineData("-1")]
    [InlineData("-6")]
    [InlineData("-9e")]
    [InlineData("--lzma2=preset=6,lc=0,lp=4,pb=0")]
    [InlineData("--lzma2=preset=6,lc=4,lp=0,pb=4")]
    [InlineData("--lzma2=preset=1,lc=1,lp=2,pb=3,mf=hc4")]
    [InlineData("--lzma2=dict=4KiB,nice=273,mode=normal")]
    public void Presets_and_literal_options_round_trip(string options)
    {
        var data = XzTool.TextLike(300_000, 2);
        AssertDecodes(data, XzTool.Xz(options, data));
    }

    [Fact]
    public void Empty_input_round_trips_to_nothing()
    {
        AssertDecodes([], XzTool.Xz("", []));
    }

    [Fact]
    public void Incompressible_data_in_stored_chunks_round_trips()
    {
        var data = XzTool.Random(150_000, 3);
        AssertDecodes(data, XzTool.Xz("-6", data));
    }

    [Fact]
    public void Data_spanning_many_LZMA2_chunks_round_trips()
    {
        var data = new byte[5_000_000];
        XzTool.TextLike(3_000_000, 4).CopyTo(data, 0);
        XzTool.Random(2_000_000, 5).CopyTo(data, 3_000_000);
        AssertDecodes(data, XzTool.Xz("-3", data));
    }

    [Fact]
    public void Several_blocks_round_trip()
    {
        var data = XzTool.TextLike(100_000, 6);
        var compressed = XzTool.Xz("--block-size=4096 --check=crc64", data);
        AssertDecodes(data, compressed);
    }

    [Fact]
    public void Block_headers_with_sizes_round_trip()
    {
        var data = XzTool.TextLike(50_000, 61);
        var compressed = XzTool.Xz("-T2 --block-size=10000", data);
        AssertDecodes(data, compressed);
    }

    [Theory]
    [InlineData("--x86 --lzma2=preset=6")]
    [InlineData("--x86=start=4096 --lzma2")]
    [InlineData("--x86 --lzma2=preset=0 --block-size=3000")]
    public void The_x86_filter_round_trips_on_call_heavy_code(string options)
    {
        var data = XzTool.CallHeavy(120_000, 7);
        AssertDecodes(data, XzTool.Xz(options, data));
    }

    [Fact]
    public void The_x86_filter_round_trips_on_a_real_guest_kernel()
    {
        var elf = File.ReadAllBytes(Path.Combine(Boot.GuestImages.Directory, "x86_64", "hello.elf"));
        AssertDecodes(elf, XzTool.Xz("--check=crc32 --x86 --lzma2=dict=1MiB", elf));
    }

    [Fact]
    public void Concatenated_streams_with_padding_decode_to_the_concatenation()
    {
        var first = XzTool.TextLike(10_000, 8);
        var second = XzTool.Random(3_000, 9);
        var compressed = XzTool.Xz("--check=crc32", first).Concat(new byte[8]).Concat(XzTool.Xz("--check=none", second)).Concat(new byte[4]).ToArray();
        AssertDecodes(first.Concat(second).ToArray(), compressed);
    }

    [Fact]
    public void Single_stream_mode_stops_after_the_first_stream()
    {
        var first = XzTool.TextLike(10_000, 10);
        var compressed = XzTool.Xz("", first).Concat(new byte[] { 0x10, 0x27, 0, 0 }).ToArray();

        var result = XzDecoder.Decode(compressed, singleStream: true);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(first, result.Data);
    }
}
