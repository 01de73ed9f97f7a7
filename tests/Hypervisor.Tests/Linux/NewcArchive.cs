using System.Globalization;
using System.Text;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// Writes an uncompressed cpio archive in the "newc" format a Linux initramfs uses: per entry a
/// 110-byte ASCII header ("070701" and thirteen 8-digit hex fields), the NUL-terminated name and the
/// data, each padded to 4 bytes; the archive ends with the entry "TRAILER!!!".
/// </summary>
internal sealed class NewcArchive
{
    private const int Directory = 0x4000;
    private const int CharacterDevice = 0x2000;
    private const int RegularFile = 0x8000;

    private readonly MemoryStream _bytes = new();
    private int _inode = 1;

    public NewcArchive AddDirectory(string name, int permissions = 0x1ED) => Add(name, Directory | permissions, [], 0, 0);

    public NewcArchive AddCharacterDevice(string name, int major, int minor, int permissions = 0x180) => Add(name, CharacterDevice | permissions, [], major, minor);

    public NewcArchive AddFile(string name, byte[] data, int permissions = 0x1ED) => Add(name, RegularFile | permissions, data, 0, 0);

    /// <summary>The archive with its trailer.</summary>
    public byte[] ToArray()
    {
        var copy = new NewcArchive();
        _bytes.Position = 0;
        _bytes.CopyTo(copy._bytes);
        copy.Add("TRAILER!!!", 0, [], 0, 0);
        return copy._bytes.ToArray();
    }

    private NewcArchive Add(string name, int mode, byte[] data, int rdevMajor, int rdevMinor)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        int[] fields = [_inode++, mode, 0, 0, (mode & Directory) != 0 ? 2 : 1, 0, data.Length, 0, 0, rdevMajor, rdevMinor, nameBytes.Length, 0];
        var header = new StringBuilder("070701");
        foreach (int field in fields)
        {
            header.Append(field.ToString("X8", CultureInfo.InvariantCulture));
        }

        _bytes.Write(Encoding.ASCII.GetBytes(header.ToString()));
        _bytes.Write(nameBytes);
        Pad();
        _bytes.Write(data);
        Pad();
        return this;
    }

    private void Pad()
    {
        while (_bytes.Length % 4 != 0)
        {
            _bytes.WriteByte(0);
        }
    }
}
