using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Boot.Compression;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Compression;

/// <summary>A guest of ours wrapped in a bzImage with each payload format Xen's toolstack loads boots to poweroff, 64-bit and 32-bit.</summary>
public class KernelFormatBootTests
{
    public static TheoryData<CompressionFormat, string> FormatsAndWidths()
    {
        var data = new TheoryData<CompressionFormat, string>();
        foreach (var format in new[] { CompressionFormat.Zstd, CompressionFormat.Lz4, CompressionFormat.Bzip2, CompressionFormat.Lzo, CompressionFormat.Xz, CompressionFormat.Lzma, CompressionFormat.Gzip })
        {
            data.Add(format, "x86_64");
            data.Add(format, "x86_32");
        }

        return data;
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [MemberData(nameof(FormatsAndWidths))]
    public void A_guest_in_a_bzImage_of_each_payload_format_boots_to_poweroff(CompressionFormat format, string arch)
    {
        var elf = GuestImages.Load(arch, "hello");
        var image = BzImageFixture.Wrap(KernelFormats.Payload(format, elf));

        var unwrapped = BzImage.Unwrap(image);
        Assert.True(unwrapped.Succeeded, unwrapped.Detail);
        Assert.Equal(format, unwrapped.Format);
        Assert.Equal(elf, unwrapped.Elf);
        BzImageFixture.AssertBootsToPoweroff(image);
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void A_corrupt_payload_of_each_format_is_refused_by_the_ELF_loader_naming_the_format(CompressionFormat format)
    {
        var payload = KernelFormats.Payload(format, GuestImages.Load("x86_64", "hello"));
        payload[payload.Length / 2] ^= 0x40;

        var result = XenElfLoader.Parse(BzImageFixture.Wrap(payload));

        Assert.Equal(ElfLoadError.BadBzImage, result.Error);
        Assert.StartsWith($"bzImage: {format} payload:", result.Detail);
    }

    [CompressorTheory("zstd", "lz4", "bzip2", "lzop")]
    [InlineData(CompressionFormat.Zstd)]
    [InlineData(CompressionFormat.Lz4)]
    [InlineData(CompressionFormat.Bzip2)]
    [InlineData(CompressionFormat.Lzo)]
    public void Every_truncation_of_a_payload_is_refused_by_the_unwrapper(CompressionFormat format)
    {
        var payload = KernelFormats.Payload(format, XzTool.TextLike(3_000, 44));
        for (int length = 0; length < payload.Length; length++)
        {
            var result = BzImage.Unwrap(BzImageFixture.Wrap(payload[..length]));

            Assert.False(result.Succeeded, $"{format}: a payload cut to {length} of {payload.Length} bytes was accepted");
        }
    }
}
