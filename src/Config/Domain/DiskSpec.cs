namespace ActorVisor.Config.Domain;

public enum DiskFormat
{
    Raw,
    Qcow,
    Qcow2,
    Vhd,
    Qed,
}

public enum DiskAccess
{
    ReadWrite,
    ReadOnly,
}

public enum DiskDeviceType
{
    Disk,
    Cdrom,
}

/// <summary>
/// One virtual disk: the image or device that backs it (<see cref="Target"/>), its format, the
/// device name the guest sees (<see cref="Vdev"/>, e.g. xvda), the access mode and, optionally,
/// the domain or IOPM whose backend serves it.
/// </summary>
public sealed record DiskSpec(string Target, DiskFormat Format, string Vdev, DiskAccess Access, DiskDeviceType DeviceType, string? Backend);
