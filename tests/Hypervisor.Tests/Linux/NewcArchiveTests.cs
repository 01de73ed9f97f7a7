using System.Globalization;
using System.Text;

namespace ActorVisor.Hypervisor.Tests.Linux;

public class NewcArchiveTests
{
    private static int Field(byte[] archive, int entryOffset, int index) =>
        int.Parse(Encoding.ASCII.GetString(archive, entryOffset + 6 + (index * 8), 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [Fact]
    public void Entries_have_newc_headers_names_and_data_padded_to_four_bytes_and_end_with_the_trailer()
    {
        var archive = new NewcArchive()
            .AddCharacterDevice("dev/console", 5, 1)
            .AddFile("init", [1, 2, 3])
            .ToArray();

        Assert.Equal("070701", Encoding.ASCII.GetString(archive, 0, 6));
        Assert.Equal(0x2180, Field(archive, 0, 1));
        Assert.Equal((5, 1), (Field(archive, 0, 9), Field(archive, 0, 10)));
        Assert.Equal("dev/console\0", Encoding.ASCII.GetString(archive, 110, 12));
        int second = 124;
        Assert.Equal("070701", Encoding.ASCII.GetString(archive, second, 6));
        Assert.Equal(0x81ED, Field(archive, second, 1));
        Assert.Equal(3, Field(archive, second, 6));
        Assert.Equal(5, Field(archive, second, 11));
        Assert.Equal("init\0", Encoding.ASCII.GetString(archive, second + 110, 5));
        Assert.Equal(new byte[] { 1, 2, 3 }, archive[(second + 116)..(second + 119)]);
        int trailer = second + 120;
        Assert.Equal("TRAILER!!!\0", Encoding.ASCII.GetString(archive, trailer + 110, 11));
        Assert.Equal(0, archive.Length % 4);
        Assert.Equal(trailer + 124, archive.Length);
    }
}
