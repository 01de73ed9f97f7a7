using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Boot.Compression;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Compression;

public class BzImageTests
{
    private static readonly byte[] Elf = GuestImages.Load("x86_64", "hello");

    private static byte[] Wrap(byte[] payload, ushort version = 0x020F, byte setupSectors = 3, int stubBytes = 0x180, uint? lengthOverride = null) =>
        BzImageFixture.Wrap(payload, version, setupSectors, stubBytes, lengthOverride);

    /// <summary>The kernel's xz payload: x86 BCJ + LZMA2 with CRC32, followed by the decompressed size.</summary>
    private static byte[] XzPayload(byte[] elf)
    {
        var size = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)elf.Length);
        return XzTool.Xz("--check=crc32 --x86 --lzma2=dict=1MiB", elf).Concat(size).ToArray();
    }

    [Fact]
    public void An_xz_bzImage_unwraps_to_the_ELF_inside()
    {
        var result = BzImage.Unwrap(Wrap(XzPayload(Elf)));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(CompressionFormat.Xz, result.Format);
        Assert.Equal(Elf, result.Elf);
    }

    [Fact]
    public void A_gzip_bzImage_unwraps_to_the_ELF_inside()
    {
        var result = BzImage.Unwrap(Wrap(XzTool.Gzip(Elf), setupSectors: 0));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(CompressionFormat.Gzip, result.Format);
        Assert.Equal(Elf, result.Elf);
    }

    [Fact]
    public void An_lzma_bzImage_unwraps_to_the_ELF_inside()
    {
        var size = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)Elf.Length);
        var payload = XzTool.Xz("--format=lzma -9", Elf).Concat(size).ToArray();

        var result = BzImage.Unwrap(Wrap(payload));

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(CompressionFormat.Lzma, result.Format);
        Assert.Equal(Elf, result.Elf);
    }

    [Fact]
    public void The_ELF_loader_parses_a_bzImage_as_it_parses_its_ELF()
    {
        var direct = XenElfLoader.Parse(Elf);
        var wrapped = XenElfLoader.Parse(Wrap(XzPayload(Elf)));

        Assert.True(wrapped.Succeeded, wrapped.Detail);
        Assert.Equal(direct.Image!.Entry, wrapped.Image!.Entry);
        Assert.Equal((direct.Image.KernelStart, direct.Image.KernelEnd), (wrapped.Image.KernelStart, wrapped.Image.KernelEnd));
        Assert.Equal(direct.Image.Segments, wrapped.Image.Segments);
        Assert.True(wrapped.Image.File.Span.SequenceEqual(Elf));
    }

    [Fact]
    public void A_plain_ELF_is_not_a_bzImage()
    {
        Assert.False(BzImage.IsBzImage(Elf));
        Assert.Equal(BzImageError.NotBzImage, BzImage.Unwrap(Elf).Error);
    }

    [Fact]
    public void A_boot_protocol_before_2_08_is_refused()
    {
        var result = BzImage.Unwrap(Wrap(XzPayload(Elf), version: 0x0207));

        Assert.Equal(BzImageError.ProtocolTooOld, result.Error);
        Assert.Contains("2.07", result.Detail);
    }

    [Fact]
    public void A_payload_beyond_the_file_is_refused()
    {
        var result = BzImage.Unwrap(Wrap(XzPayload(Elf), lengthOverride: 0x7FFF_FFF0));

        Assert.Equal(BzImageError.PayloadOutsideFile, result.Error);
    }

    [Fact]
    public void A_corrupt_payload_is_refused_by_the_ELF_loader_naming_the_cause()
    {
        var payload = XzPayload(Elf);
        payload[payload.Length / 2] ^= 0x40;

        var result = XenElfLoader.Parse(Wrap(payload));

        Assert.Equal(ElfLoadError.BadBzImage, result.Error);
        Assert.StartsWith("bzImage: Xz payload:", result.Detail);
    }

    [Fact]
    public void A_payload_of_no_known_format_is_named_unknown()
    {
        var result = BzImage.Unwrap(Wrap("PK\x03\x04 and more bytes"u8.ToArray()));

        Assert.Equal(BzImageError.DecompressionFailed, result.Error);
        Assert.Equal(DecompressError.UnknownFormat, result.Compression);
    }

    [Fact]
    public void A_payload_whose_appended_size_disagrees_is_refused()
    {
        var payload = XzPayload(Elf);
        payload[^4] ^= 0x01;

        var result = BzImage.Unwrap(Wrap(payload));

        Assert.Equal(DecompressError.SizeMismatch, result.Compression);
        Assert.Contains("appended", result.Detail);
    }

    [Fact]
    public void A_payload_that_is_not_an_ELF_is_refused()
    {
        var result = BzImage.Unwrap(Wrap(XzPayload(XzTool.TextLike(5000, 30))));

        Assert.Equal(BzImageError.PayloadNotElf, result.Error);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void A_guest_wrapped_in_a_bzImage_boots_and_powers_off(string arch)
    {
        BzImageFixture.AssertBootsToPoweroff(Wrap(XzPayload(GuestImages.Load(arch, "hello"))));
    }
}
