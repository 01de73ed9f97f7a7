using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Connects a running PV domain's store ring page (start_info.store_mfn) and store event
/// channel to a <see cref="XenStore"/>: <see cref="Service"/> answers what the guest queued and
/// raises the store event in the guest when indices moved. The host calls it when the guest
/// sends on the store port and when the store queues watch events for this domain.
/// </summary>
public sealed class StoreBackend
{
    private readonly PvDomain _domain;
    private readonly ulong _ringMfn;
    private readonly uint _port;

    public StoreBackend(XenStore store, PvDomain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        _domain = domain;
        _ringMfn = domain.Built.P2m[(int)domain.Built.Layout.StorePfn];
        _port = domain.Built.Config.StoreEvtchn;
        Connection = new StoreConnection(store, domain.Id);
    }

    public StoreConnection Connection { get; }

    /// <summary>The guest's store event channel port.</summary>
    public uint Port => _port;

    /// <summary>Services the ring; returns true if the guest was notified.</summary>
    public bool Service()
    {
        if (!Connection.Service(_domain.Machine.Memory.Frame(_ringMfn)))
        {
            return false;
        }

        _domain.Events.NotifyFromBackend(_port);
        return true;
    }
}
