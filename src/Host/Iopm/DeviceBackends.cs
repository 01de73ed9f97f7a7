using System.Globalization;
using ActorVisor.Config.Domain;
using ActorVisor.Devices.Block;
using ActorVisor.Devices.Net;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// The host's back-ends by device class, one set per run: a vif gets a <see cref="NetBackend"/> with
/// its MAC (the spec's, or the toolstack's choice) plugged into the virtual switch of its bridge
/// (one <see cref="Bridges"/> per run, so vifs on one bridge share a switch); a disk gets a
/// <see cref="BlockBackend"/> on its raw image (relative paths from the scenario's or xl.cfg's
/// folder; read-only for access=r and CD-ROMs). A missing, empty or truncated image, or another
/// format than raw, refuses the domain's build with the disk and the path named.
/// </summary>
public sealed class DeviceBackends
{
    /// <summary>The run's virtual switches by bridge name.</summary>
    public Bridges Bridges { get; } = new();

    public DeviceBackendResult Create(DevicePlan plan, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Vif is { } vif)
        {
            var mac = MacAddress.FromSpecOrDefault(vif.Mac, plan.Key.Frontend, plan.Key.DevId);
            var backend = new NetBackend(mac, string.Create(CultureInfo.InvariantCulture, $"vif{plan.Key.Frontend}.{plan.Key.DevId}"));
            backend.Plug(Bridges.For(vif.Bridge));
            return DeviceBackendResult.Of(backend);
        }

        if (plan.Disk is { } disk)
        {
            if (disk.Format != DiskFormat.Raw)
            {
                return DeviceBackendResult.Refused($"disk {disk.Vdev}: format={disk.Format.ToString().ToLowerInvariant()} is not served (only raw images)");
            }

            string path = Path.GetFullPath(Path.Combine(baseDirectory, disk.Target));
            bool cdrom = disk.DeviceType == DiskDeviceType.Cdrom;
            bool readOnly = disk.Access == DiskAccess.ReadOnly || cdrom;
            var error = RawDiskImage.Open(path, readOnly, out var image);
            if (error != DiskImageError.None)
            {
                return DeviceBackendResult.Refused($"disk {disk.Vdev}: image {path}: {Describe(error)}");
            }

            return DeviceBackendResult.Of(new BlockBackend(image!, new BlockBackendOptions { ReadOnly = readOnly, CdRom = cdrom }));
        }

        return DeviceBackendResult.Refused($"{plan.FrontendName}: no {plan.Key.ClassName} back-end");
    }

    private static string Describe(DiskImageError error) => error switch
    {
        DiskImageError.Missing => "no such file",
        DiskImageError.NotAFile => "not a regular file",
        DiskImageError.Empty => "empty (no sectors)",
        DiskImageError.SizeNotSectorMultiple => "its size is not a whole number of 512-byte sectors",
        DiskImageError.AccessDenied => "access denied",
        _ => "cannot be opened",
    };

    /// <summary>Lets go of what <see cref="Create"/> attached a back-end to (a vif leaves its switch); the device is gone or moved.</summary>
    public static void Release(Devices.Backends.IDeviceBackend backend)
    {
        switch (backend)
        {
            case NetBackend net:
                net.Unplug();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
