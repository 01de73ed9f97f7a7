using Microsoft.Win32.SafeHandles;

namespace ActorVisor.Devices.Block;

/// <summary>
/// A raw disk image file: sector i of the disk is bytes [512 i, 512 i + 512) of the file, nothing
/// else (no header, no format). The file may be sparse. Reads and writes go through
/// <see cref="RandomAccess"/> at explicit offsets, so the image keeps no file position and one
/// instance can serve requests in any order; <see cref="Flush"/> is fsync.
/// </summary>
/// <remarks>
/// Invariant: the size in sectors is fixed at open (the file's length divided by 512, which must be
/// exact) and no operation reaches past it; a read-only image is never written. Host I/O failures
/// are results (<see cref="DiskIoError.HostFailed"/>, with the message in <see cref="LastHostError"/>),
/// so a failing host disk turns into error responses to the guest, never an exception in the IOPM.
/// </remarks>
public sealed class RawDiskImage : IDisposable
{
    public const int SectorBytes = 512;

    /// <summary>Zeros written per call when a discard falls back to overwriting.</summary>
    private const int ZeroChunkBytes = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private byte[]? _zeros;

    private RawDiskImage(string path, SafeFileHandle handle, bool readOnly, long sectors)
    {
        Path = path;
        _handle = handle;
        ReadOnly = readOnly;
        Sectors = sectors;
    }

    public string Path { get; }

    public bool ReadOnly { get; }

    /// <summary>The disk's size in 512-byte sectors.</summary>
    public long Sectors { get; }

    public long SizeBytes => Sectors * SectorBytes;

    /// <summary>The host's message for the last <see cref="DiskIoError.HostFailed"/>, for logs.</summary>
    public string? LastHostError { get; private set; }

    /// <summary>Checks what <see cref="Open"/> would check without opening the file (for configuration loaders).</summary>
    public static DiskImageError Check(string path, out long sizeBytes)
    {
        sizeBytes = 0;
        if (Directory.Exists(path))
        {
            return DiskImageError.NotAFile;
        }

        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
            {
                return DiskImageError.Missing;
            }

            sizeBytes = info.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return DiskImageError.OpenFailed;
        }

        return SizeError(sizeBytes);
    }

    /// <summary>Opens the image at <paramref name="path"/>; returns why not, or <see cref="DiskImageError.None"/>.</summary>
    public static DiskImageError Open(string path, bool readOnly, out RawDiskImage? image)
    {
        image = null;
        var error = Check(path, out _);
        if (error != DiskImageError.None)
        {
            return error;
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(
                path,
                FileMode.Open,
                readOnly ? FileAccess.Read : FileAccess.ReadWrite,
                FileShare.Read);
        }
        catch (UnauthorizedAccessException)
        {
            return DiskImageError.AccessDenied;
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            return File.Exists(path) ? DiskImageError.OpenFailed : DiskImageError.Missing;
        }

        // The length again from the open handle: the file may have changed since the check.
        var length = RandomAccess.GetLength(handle);
        error = SizeError(length);
        if (error != DiskImageError.None)
        {
            handle.Dispose();
            return error;
        }

        image = new RawDiskImage(path, handle, readOnly, length / SectorBytes);
        return DiskImageError.None;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes (whole sectors) from sector <paramref name="sector"/>.</summary>
    public DiskIoError Read(long sector, Span<byte> destination)
    {
        var error = CheckRange(sector, destination.Length);
        if (error != DiskIoError.None)
        {
            return error;
        }

        try
        {
            var offset = sector * SectorBytes;
            while (!destination.IsEmpty)
            {
                var read = RandomAccess.Read(_handle, destination, offset);
                if (read <= 0)
                {
                    // The file shrank under us (another host process): what is gone reads as zeros.
                    destination.Clear();
                    break;
                }

                destination = destination[read..];
                offset += read;
            }

            return DiskIoError.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HostFailed(e);
        }
    }

    /// <summary>Writes <paramref name="source"/> (whole sectors) at sector <paramref name="sector"/>; durable only after <see cref="Flush"/>.</summary>
    public DiskIoError Write(long sector, ReadOnlySpan<byte> source)
    {
        var error = CheckWrite(sector, source.Length);
        if (error != DiskIoError.None)
        {
            return error;
        }

        try
        {
            RandomAccess.Write(_handle, source, sector * SectorBytes);
            return DiskIoError.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HostFailed(e);
        }
    }

    /// <summary>Makes every completed write durable (fsync). A read-only image has nothing to flush.</summary>
    public DiskIoError Flush()
    {
        if (ReadOnly)
        {
            return DiskIoError.None;
        }

        try
        {
            RandomAccess.FlushToDisk(_handle);
            return DiskIoError.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HostFailed(e);
        }
    }

    /// <summary>
    /// Drops the contents of <paramref name="sectorCount"/> sectors from <paramref name="sector"/>:
    /// punches a hole where the host can (Linux fallocate), otherwise writes zeros. Either way the
    /// range reads back as zeros afterwards.
    /// </summary>
    public DiskIoError Discard(long sector, long sectorCount, out DiscardMethod method)
    {
        method = DiscardMethod.PunchedHole;
        if (sectorCount < 0 || sector < 0 || sector > Sectors || sectorCount > Sectors - sector)
        {
            return DiskIoError.BeyondEnd;
        }

        if (ReadOnly)
        {
            return DiskIoError.ReadOnly;
        }

        if (sectorCount == 0)
        {
            return DiskIoError.None;
        }

        var offset = sector * SectorBytes;
        var length = sectorCount * SectorBytes;
        if (HolePunch.TryPunch(_handle, offset, length))
        {
            return DiskIoError.None;
        }

        method = DiscardMethod.WroteZeros;
        _zeros ??= new byte[ZeroChunkBytes];
        try
        {
            while (length > 0)
            {
                var chunk = (int)Math.Min(length, ZeroChunkBytes);
                RandomAccess.Write(_handle, _zeros.AsSpan(0, chunk), offset);
                offset += chunk;
                length -= chunk;
            }

            return DiskIoError.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HostFailed(e);
        }
    }

    public void Dispose() => _handle.Dispose();

    private static DiskImageError SizeError(long sizeBytes) => sizeBytes switch
    {
        0 => DiskImageError.Empty,
        _ when sizeBytes % SectorBytes != 0 => DiskImageError.SizeNotSectorMultiple,
        _ => DiskImageError.None,
    };

    private DiskIoError CheckRange(long sector, int byteCount)
    {
        if (byteCount % SectorBytes != 0)
        {
            return DiskIoError.NotWholeSectors;
        }

        var count = byteCount / SectorBytes;
        return sector < 0 || sector > Sectors || count > Sectors - sector ? DiskIoError.BeyondEnd : DiskIoError.None;
    }

    private DiskIoError CheckWrite(long sector, int byteCount)
    {
        var error = CheckRange(sector, byteCount);
        return error == DiskIoError.None && ReadOnly ? DiskIoError.ReadOnly : error;
    }

    private DiskIoError HostFailed(Exception e)
    {
        LastHostError = e.Message;
        return DiskIoError.HostFailed;
    }
}
