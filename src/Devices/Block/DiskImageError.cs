namespace ActorVisor.Devices.Block;

/// <summary>Why a raw disk image could not be opened (the configuration's doing, reported where the disk is named).</summary>
public enum DiskImageError
{
    None,

    /// <summary>No file exists at the path.</summary>
    Missing,

    /// <summary>The path names a directory or something else that is not a regular file.</summary>
    NotAFile,

    /// <summary>The file holds no sectors at all.</summary>
    Empty,

    /// <summary>The file's size is not a whole number of 512-byte sectors (a truncated or non-raw image).</summary>
    SizeNotSectorMultiple,

    /// <summary>The host refused access (permissions, or a read-write open of a read-only file).</summary>
    AccessDenied,

    /// <summary>The host failed to open the file for another reason (locked, I/O error).</summary>
    OpenFailed,
}

/// <summary>Why one read, write, flush or discard on an open image did not happen.</summary>
public enum DiskIoError
{
    None,

    /// <summary>The range runs past the last sector of the image.</summary>
    BeyondEnd,

    /// <summary>The range is not a whole number of sectors.</summary>
    NotWholeSectors,

    /// <summary>The image was opened read-only and the operation would change it.</summary>
    ReadOnly,

    /// <summary>The host's file system failed the operation (EIO, ENOSPC, ...).</summary>
    HostFailed,
}

/// <summary>How a discard was carried out on the host file.</summary>
public enum DiscardMethod
{
    /// <summary>The range was deallocated with fallocate(PUNCH_HOLE | KEEP_SIZE); it reads back as zeros.</summary>
    PunchedHole,

    /// <summary>The host cannot punch holes here, so the range was overwritten with zeros.</summary>
    WroteZeros,
}
