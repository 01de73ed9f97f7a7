using ActorVisor.Config.Domain;
using ActorVisor.Devices.Backends;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// What the toolstack decided for one device of a domain being built: its key, the name the guest
/// gives it (the vdev, or vif's index), and the xl-level spec it came from (a <see cref="DiskSpec"/>
/// or a <see cref="VifSpec"/>).
/// </summary>
public sealed record DevicePlan(DeviceKey Key, string FrontendName, DiskSpec? Disk, VifSpec? Vif)
{
    public DeviceClass Class => Key.Class;

    /// <summary>The IOPM the spec names with backend=, or null to let the placement policy choose.</summary>
    public string? RequestedIopm => Disk?.Backend ?? Vif?.Backend;
}

/// <summary>
/// Makes the back-end of one device (a block back-end on the disk's image, a network back-end on the
/// vif's bridge), or says why it cannot; called on the hypervisor's thread when a domain is built.
/// </summary>
/// <param name="plan">The device.</param>
/// <param name="baseDirectory">The folder relative image paths are taken from.</param>
public delegate DeviceBackendResult DeviceBackendFactory(DevicePlan plan, string baseDirectory);

/// <summary>A back-end, or the reason there is none (a missing image, no back-end of that class in this build).</summary>
public sealed record DeviceBackendResult(IDeviceBackend? Backend, string? Error)
{
    public static DeviceBackendResult Of(IDeviceBackend backend) => new(backend, null);

    public static DeviceBackendResult Refused(string error) => new(null, error);
}
