using System.Text;
using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Hypervisor.Tests.Compression;

public class CrcTests
{
    private static readonly byte[] CheckString = Encoding.ASCII.GetBytes("123456789");

    [Fact]
    public void Crc32_of_the_standard_check_string_is_cbf43926()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(CheckString));
    }

    [Fact]
    public void Crc64_of_the_standard_check_string_is_the_xz_value()
    {
        Assert.Equal(0x995DC9BBDF1939FAul, Crc64.Compute(CheckString));
    }

    [Fact]
    public void Crc_updates_in_pieces_equal_the_crc_of_the_whole()
    {
        var data = XzTool.Random(1000, 7);
        Assert.Equal(Crc32.Compute(data), Crc32.Update(Crc32.Compute(data.AsSpan(0, 333)), data.AsSpan(333)));
        Assert.Equal(Crc64.Compute(data), Crc64.Update(Crc64.Compute(data.AsSpan(0, 13)), data.AsSpan(13)));
    }

    [Fact]
    public void Crc_of_nothing_is_zero()
    {
        Assert.Equal(0u, Crc32.Compute([]));
        Assert.Equal(0ul, Crc64.Compute([]));
    }
}
