using System.Globalization;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Devices.Backends;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// What the toolstack writes to XenStore for a split device, as xl (libxl's device code) does when
/// a domain is built: the front-end directory /local/domain/&lt;fe&gt;/device/&lt;class&gt;/&lt;devid&gt;
/// owned by the front-end with read access for the back-end (backend, backend-id, state = 1 and the
/// class's keys), and the back-end directory /local/domain/&lt;be&gt;/backend/&lt;class&gt;/&lt;fe&gt;/&lt;devid&gt;
/// owned by the back-end with read access for the front-end (frontend, frontend-id, online = 1,
/// state = 1, hotplug-status = connected and the class's keys). Destroying the domain removes both.
/// Every call holds the store lock through <see cref="Domains.HostStore"/>; all writes are the control domain's.
/// </summary>
public static class XenBusToolstack
{
    /// <summary>Creates the home directory of a driver domain (an IOPM) that is not a guest: owned by it, with its name and domid.</summary>
    public static void IntroduceDriverDomain(XenStore store, int id, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        string home = string.Create(CultureInfo.InvariantCulture, $"/local/domain/{id}");
        store.Mkdir(DomId.Dom0, 0, home);
        store.SetPermissions(DomId.Dom0, 0, home, [new StorePermission(new DomId((ushort)id), StoreAccess.None)]);
        Write(store, $"{home}/name", name);
        Write(store, $"{home}/domid", id.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Writes both directories of <paramref name="plan"/>'s device, the back-end in domain <paramref name="backend"/>.</summary>
    public static void Create(XenStore store, DevicePlan plan, int backend)
    {
        CreateBackend(store, plan, backend);
        ArgumentNullException.ThrowIfNull(plan);
        var key = plan.Key;
        string front = key.FrontendPath;
        store.Mkdir(DomId.Dom0, 0, front);
        store.SetPermissions(DomId.Dom0, 0, front, [new StorePermission(new DomId((ushort)key.Frontend), StoreAccess.None), new StorePermission(new DomId((ushort)backend), StoreAccess.Read)]);
        foreach (var (name, value) in FrontendKeys(plan, backend, key.BackendPath(backend)))
        {
            Write(store, $"{front}/{name}", value);
        }
    }

    /// <summary>Writes the back-end directory of <paramref name="plan"/>'s device in domain <paramref name="backend"/>, owned by it, readable by the front-end.</summary>
    public static void CreateBackend(XenStore store, DevicePlan plan, int backend)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(plan);
        var key = plan.Key;
        string back = key.BackendPath(backend);
        store.Mkdir(DomId.Dom0, 0, back);
        store.SetPermissions(DomId.Dom0, 0, back, [new StorePermission(new DomId((ushort)backend), StoreAccess.None), new StorePermission(new DomId((ushort)key.Frontend), StoreAccess.Read)]);
        foreach (var (name, value) in BackendKeys(plan, key.Frontend, key.FrontendPath))
        {
            Write(store, $"{back}/{name}", value);
        }
    }

    /// <summary>Points an existing front-end directory at a new back-end (a device moved to another IOPM).</summary>
    public static void Repoint(XenStore store, DeviceKey key, int backend)
    {
        ArgumentNullException.ThrowIfNull(store);
        Write(store, $"{key.FrontendPath}/backend", key.BackendPath(backend));
        Write(store, $"{key.FrontendPath}/backend-id", backend.ToString(CultureInfo.InvariantCulture));
        // Every node of the directory carries its own permissions (they were inherited when it was made): the new back-end must read them all.
        StorePermission[] permissions = [new StorePermission(new DomId((ushort)key.Frontend), StoreAccess.None), new StorePermission(new DomId((ushort)backend), StoreAccess.Read)];
        store.SetPermissions(DomId.Dom0, 0, key.FrontendPath, permissions);
        if (store.Directory(DomId.Dom0, 0, key.FrontendPath, out var names) == StoreError.None)
        {
            foreach (var name in names)
            {
                store.SetPermissions(DomId.Dom0, 0, $"{key.FrontendPath}/{name}", permissions);
            }
        }
    }

    /// <summary>Removes the back-end directory (and the emptied per-front-end directory above it).</summary>
    public static void RemoveBackend(XenStore store, DeviceKey key, int backend)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Remove(DomId.Dom0, 0, key.BackendPath(backend));
        string perFrontend = string.Create(CultureInfo.InvariantCulture, $"/local/domain/{backend}/backend/{key.ClassName}/{key.Frontend}");
        if (store.Directory(DomId.Dom0, 0, perFrontend, out var left) == StoreError.None && left.Count == 0)
        {
            store.Remove(DomId.Dom0, 0, perFrontend);
        }
    }

    /// <summary>Removes the front-end directory (the domain's home goes with the domain anyway).</summary>
    public static void RemoveFrontend(XenStore store, DeviceKey key)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Remove(DomId.Dom0, 0, key.FrontendPath);
    }

    private static IEnumerable<(string Name, string Value)> FrontendKeys(DevicePlan plan, int backend, string back)
    {
        yield return ("backend", back);
        yield return ("backend-id", backend.ToString(CultureInfo.InvariantCulture));
        yield return ("state", State(XenBusState.Initialising));
        if (plan.Disk is { } disk)
        {
            yield return ("virtual-device", plan.Key.DevId.ToString(CultureInfo.InvariantCulture));
            yield return ("device-type", disk.DeviceType == Config.Domain.DiskDeviceType.Cdrom ? "cdrom" : "disk");
        }
        else if (plan.Vif is { } vif)
        {
            yield return ("handle", plan.Key.DevId.ToString(CultureInfo.InvariantCulture));
            yield return ("mac", MacOf(plan, vif));
        }
    }

    private static IEnumerable<(string Name, string Value)> BackendKeys(DevicePlan plan, int frontend, string front)
    {
        yield return ("frontend", front);
        yield return ("frontend-id", frontend.ToString(CultureInfo.InvariantCulture));
        yield return ("online", "1");
        yield return ("state", State(XenBusState.Initialising));
        if (plan.Disk is { } disk)
        {
            yield return ("params", disk.Target);
            yield return ("type", "phy");
            yield return ("mode", disk.Access == Config.Domain.DiskAccess.ReadOnly ? "r" : "w");
            yield return ("dev", disk.Vdev);
            yield return ("device-type", disk.DeviceType == Config.Domain.DiskDeviceType.Cdrom ? "cdrom" : "disk");
            yield return ("removable", disk.DeviceType == Config.Domain.DiskDeviceType.Cdrom ? "1" : "0");
            yield return ("bootable", "1");
        }
        else if (plan.Vif is { } vif)
        {
            yield return ("handle", plan.Key.DevId.ToString(CultureInfo.InvariantCulture));
            yield return ("mac", MacOf(plan, vif));
            yield return ("type", "vif");
            yield return ("bridge", vif.Bridge ?? "xenbr0");
            if (vif.Ip is { } ip)
            {
                yield return ("ip", ip);
            }
        }

        yield return ("hotplug-status", "connected");
    }

    /// <summary>The vif's MAC, or the one the toolstack chooses: Xen's 00:16:3e prefix, the front-end's id and the vif's index.</summary>
    public static string MacOf(DevicePlan plan, Config.Domain.VifSpec vif) => Devices.Net.MacAddress.FromSpecOrDefault(vif.Mac, plan.Key.Frontend, plan.Key.DevId).ToString();

    public static string State(XenBusState state) => ((int)state).ToString(CultureInfo.InvariantCulture);

    private static void Write(XenStore store, string path, string value) => store.Write(DomId.Dom0, 0, path, Encoding.ASCII.GetBytes(value));
}
