using System.Globalization;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Host.Domains;

/// <summary>
/// What the control domain's toolstack writes to XenStore for a domain, as xl does: the store laid
/// out as xenstored starts it, and per domain /local/domain/&lt;id&gt; owned by the domain with its
/// name, domid, control/, data/ and cpu/&lt;n&gt;/availability for each vCPU, then the introduction.
/// </summary>
public static class StoreToolstack
{
    /// <summary>A store with /local/domain and /tool/xenstored, both the control domain's alone.</summary>
    public static XenStore CreateStore(IStoreEventSink? events = null)
    {
        var store = new XenStore(events: events);
        store.Mkdir(DomId.Dom0, 0, "/local/domain");
        store.Mkdir(DomId.Dom0, 0, "/tool/xenstored");
        return store;
    }

    /// <summary>The domain's home directory.</summary>
    public static string HomeOf(int id) => string.Create(CultureInfo.InvariantCulture, $"/local/domain/{id}");

    /// <summary>Creates the domain's directory and introduces it; every vCPU is marked available, as xl does for <c>vcpus</c>.</summary>
    public static void Introduce(XenStore store, int id, string name, int vcpus)
    {
        ArgumentNullException.ThrowIfNull(store);
        var dom = new DomId((ushort)id);
        string home = HomeOf(id);
        store.Mkdir(DomId.Dom0, 0, home);
        store.SetPermissions(DomId.Dom0, 0, home, [new StorePermission(dom, StoreAccess.None)]);
        store.Write(DomId.Dom0, 0, $"{home}/name", Encoding.ASCII.GetBytes(name));
        store.Write(DomId.Dom0, 0, $"{home}/domid", Encoding.ASCII.GetBytes(id.ToString(CultureInfo.InvariantCulture)));
        store.Mkdir(DomId.Dom0, 0, $"{home}/control");
        store.Mkdir(DomId.Dom0, 0, $"{home}/data");
        for (int vcpu = 0; vcpu < vcpus; vcpu++)
        {
            store.Write(DomId.Dom0, 0, string.Create(CultureInfo.InvariantCulture, $"{home}/cpu/{vcpu}/availability"), "online"u8);
        }

        store.IntroduceDomain(DomId.Dom0, dom);
    }

    /// <summary>Removes the domain's directory and releases it (the @releaseDomain watch fires).</summary>
    public static void Release(XenStore store, int id)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Remove(DomId.Dom0, 0, HomeOf(id));
        store.ReleaseDomain(DomId.Dom0, new DomId((ushort)id));
    }

    /// <summary>Writes control/shutdown, as <c>xl shutdown</c> (poweroff) and <c>xl reboot</c> do.</summary>
    public static void RequestShutdown(XenStore store, int id, bool reboot)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.Write(DomId.Dom0, 0, $"{HomeOf(id)}/control/shutdown", reboot ? "reboot"u8 : "poweroff"u8);
    }

    /// <summary>Makes <paramref name="service"/> the owner of the domain's store port: the guest's sends on it reach the store.</summary>
    public static void RouteStoreNotifications(BackendPorts ports, PvDomain domain, uint storePort, Action service)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(service);
        if (!ports.Register(domain.Id, storePort, service))
        {
            throw new InvalidOperationException($"the store port {storePort} of {domain.Id} has an owner already");
        }
    }
}
