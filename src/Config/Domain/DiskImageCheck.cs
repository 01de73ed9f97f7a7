namespace ActorVisor.Config.Domain;

/// <summary>
/// Checks that a disk's image can be served before any domain starts: the block back-end reads raw
/// images only, and a raw image is an existing regular file holding a whole, non-zero number of
/// 512-byte sectors. A relative target is taken relative to the directory of the file that named it.
/// The same rules are enforced again by the back-end when it opens the file (src/Devices/Block,
/// which src/Config does not reference); here they become located configuration errors.
/// </summary>
public static class DiskImageCheck
{
    public const int SectorBytes = 512;

    /// <summary>The problem with <paramref name="disk"/>'s image, or null if the block back-end can open it.</summary>
    public static DiskSpecParser.Problem? Check(DiskSpec disk, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(disk);
        if (disk.Format != DiskFormat.Raw)
        {
            var format = DiskSpecParser.Formats.First(f => f.Value == disk.Format).Key;
            return new DiskSpecParser.Problem("format=raw (the only image format the block back-end reads so far)", $"format={format}", "convert it with qemu-img convert -O raw");
        }

        if (disk.Target.Length == 0)
        {
            // An empty CD-ROM drive has no image; any other disk needs one.
            return disk.DeviceType == DiskDeviceType.Cdrom ? null : new DiskSpecParser.Problem("a target image file", "no target");
        }

        var path = ResolvePath(disk.Target, baseDirectory);
        if (Directory.Exists(path))
        {
            return new DiskSpecParser.Problem("a raw image file", $"the directory '{path}'");
        }

        long length;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return new DiskSpecParser.Problem("an existing raw image file", $"no file at '{path}'", "create one with truncate -s SIZE or mkfs.ext4 on a file");
            }

            length = info.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new DiskSpecParser.Problem("a readable raw image file", $"'{path}' ({e.Message})");
        }

        if (length == 0 || length % SectorBytes != 0)
        {
            return new DiskSpecParser.Problem(
                "an image whose size is a whole, non-zero number of 512-byte sectors",
                $"'{path}' of {length} bytes",
                length == 0 ? null : $"a short or non-raw image; {length % SectorBytes} bytes past the last whole sector");
        }

        return null;
    }

    /// <summary>The image's full path: <paramref name="target"/> itself if absolute, else relative to <paramref name="baseDirectory"/>.</summary>
    public static string ResolvePath(string target, string baseDirectory) =>
        Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(baseDirectory, target));
}
