using ActorVisor.Devices.Block;
using Xunit;

namespace ActorVisor.Devices.Tests.Block;

public sealed class RawDiskImageTests
{
    [Fact]
    public void Missing_image_is_a_typed_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"actorvisor-missing-{Guid.NewGuid():N}.img");

        Assert.Equal(DiskImageError.Missing, RawDiskImage.Open(path, readOnly: false, out var image));
        Assert.Null(image);
        Assert.Equal(DiskImageError.Missing, RawDiskImage.Check(path, out _));
    }

    [Theory]
    [InlineData(0, DiskImageError.Empty)]
    [InlineData(1000, DiskImageError.SizeNotSectorMultiple)]
    [InlineData(512 * 3 + 1, DiskImageError.SizeNotSectorMultiple)]
    [InlineData(512 * 3, DiskImageError.None)]
    public void Image_size_must_be_a_whole_number_of_sectors(long size, DiskImageError expected)
    {
        using var file = new TempImage(size);

        Assert.Equal(expected, RawDiskImage.Check(file.Path, out var checkedSize));
        Assert.Equal(size, checkedSize);
        Assert.Equal(expected, RawDiskImage.Open(file.Path, readOnly: true, out var image));
        image?.Dispose();
    }

    [Fact]
    public void Directory_is_not_an_image()
    {
        Assert.Equal(DiskImageError.NotAFile, RawDiskImage.Open(Path.GetTempPath(), readOnly: true, out _));
    }

    [Fact]
    public void Sparse_image_reads_zeros_and_refuses_ranges_past_its_end()
    {
        using var file = new TempImage(1L << 30);
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(file.Path, readOnly: false, out var opened));
        using var image = opened!;
        var buffer = new byte[1024];
        Array.Fill(buffer, (byte)1);

        Assert.Equal(2_097_152, image.Sectors);
        Assert.Equal(DiskIoError.None, image.Read(image.Sectors - 2, buffer));
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Equal(DiskIoError.BeyondEnd, image.Read(image.Sectors - 1, buffer));
        Assert.Equal(DiskIoError.BeyondEnd, image.Write(image.Sectors, buffer.AsSpan(0, 512)));
        Assert.Equal(DiskIoError.BeyondEnd, image.Read(-1, buffer));
        Assert.Equal(DiskIoError.NotWholeSectors, image.Read(0, buffer.AsSpan(0, 100)));
    }

    [Fact]
    public void Write_flush_and_read_go_to_the_file_at_the_sector_offset()
    {
        using var file = new TempImage(64 * 512);
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(file.Path, readOnly: false, out var opened));
        using var image = opened!;
        var data = BlockBackendTests.Pattern(1536, 6);

        Assert.Equal(DiskIoError.None, image.Write(10, data));
        Assert.Equal(DiskIoError.None, image.Flush());
        Assert.Equal(data, file.ReadBytes(10 * 512, 1536));
        var back = new byte[1536];
        Assert.Equal(DiskIoError.None, image.Read(10, back));
        Assert.Equal(data, back);
    }

    [Fact]
    public void Read_only_image_refuses_writes_and_discards()
    {
        using var file = new TempImage(8 * 512);
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(file.Path, readOnly: true, out var opened));
        using var image = opened!;

        Assert.True(image.ReadOnly);
        Assert.Equal(DiskIoError.ReadOnly, image.Write(0, new byte[512]));
        Assert.Equal(DiskIoError.ReadOnly, image.Discard(0, 1, out _));
        Assert.Equal(DiskIoError.None, image.Flush());
    }

    [Fact]
    public void Discard_reads_back_zeros_whether_it_punched_a_hole_or_wrote_zeros()
    {
        using var file = new TempImage(64 * 512);
        file.WriteBytes(0, BlockBackendTests.Pattern(64 * 512, 7));
        Assert.Equal(DiskImageError.None, RawDiskImage.Open(file.Path, readOnly: false, out var opened));
        using var image = opened!;

        Assert.Equal(DiskIoError.None, image.Discard(3, 20, out var method));

        Assert.Equal(new byte[20 * 512], file.ReadBytes(3 * 512, 20 * 512));
        Assert.Equal(BlockBackendTests.Pattern(64 * 512, 7)[..(3 * 512)], file.ReadBytes(0, 3 * 512));
        Assert.Equal(BlockBackendTests.Pattern(64 * 512, 7)[(23 * 512)..], file.ReadBytes(23 * 512, 41 * 512));
        Assert.Equal(64 * 512, new FileInfo(file.Path).Length);
        Assert.True(Enum.IsDefined(method));
    }
}
