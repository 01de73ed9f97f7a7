using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv.Events;

/// <summary>
/// A domain's 2-level event channels: port states here, pending and mask bits in shared_info.
/// Invariants: port 0 is never allocated; a port's pending bit is only set through
/// <see cref="SetPending"/>, which follows Xen's order (pending, then selector and upcall flag when
/// unmasked); a VIRQ is bound to at most one port per vCPU; the two ends of an interdomain channel
/// name each other (domain and port) until one end closes, which returns the other to unbound.
/// Interdomain channels join two ports of this domain (loopback), a port of this domain and one of
/// another domain found through <see cref="Peers"/>, or a port and a back-end inside the host
/// (console, XenStore), which is told of every send through <see cref="BackendNotified"/>.
/// </summary>
public sealed class EventChannels
{
    private readonly EventPort[] _ports;
    private readonly int[,] _virqPorts;
    private readonly SharedInfoPage _shared;
    private readonly DomId _self;
    private readonly int _vcpuCount;

    public EventChannels(SharedInfoPage shared, DomId self, int vcpuCount)
    {
        _shared = shared;
        _self = self;
        _vcpuCount = vcpuCount;
        _ports = new EventPort[shared.Width.EventChannelPorts()];
        _virqPorts = new int[vcpuCount, VirqFacts.Count];
    }

    /// <summary>Finds the event channels of another domain by id (null when there is none), for interdomain channels.</summary>
    public Func<DomId, EventChannels?> Peers { get; set; } = _ => null;

    /// <summary>Called with the local port when the guest sends on a channel whose peer is a host back-end.</summary>
    public Action<uint>? BackendNotified { get; set; }

    /// <summary>
    /// When set, a send on an interdomain channel to another domain calls this with the peer domain
    /// and its port instead of raising that port directly, so that a host running domains on several
    /// threads can raise it on the peer's own schedule.
    /// </summary>
    public Action<DomId, uint>? RemoteSend { get; set; }

    /// <summary>Called with a vCPU number when one of its events became deliverable.</summary>
    public Action<int>? VcpuKicked { get; set; }

    public int PortCount => _ports.Length;

    public EventPort this[uint port] => port < (uint)_ports.Length ? _ports[port] : EventPort.Closed;

    /// <summary>Creates a channel whose peer is a host back-end, at a fixed port (the builder's store and console ports).</summary>
    public EventChannelError BindHostBackend(uint port, DomId backendDom)
    {
        if (port == 0 || port >= (uint)_ports.Length || _ports[port].State != EvtchnStatus.Closed)
        {
            return EventChannelError.BadPort;
        }

        _ports[port] = new EventPort(EvtchnStatus.Interdomain, backendDom, port, 0, 0, HostBackend: true);
        return EventChannelError.None;
    }

    public EventChannelError AllocUnbound(DomId remoteDom, out uint port)
    {
        if (!TryFindFree(out port))
        {
            return EventChannelError.NoFreePort;
        }

        _ports[port] = new EventPort(EvtchnStatus.Unbound, remoteDom == DomId.Self ? _self : remoteDom, 0, 0, 0, false);
        return EventChannelError.None;
    }

    /// <summary>
    /// Binds to an unbound port of <paramref name="remoteDom"/> (this domain for a loopback channel)
    /// that allows this domain to bind it; both ends then name each other and the new port is set pending.
    /// </summary>
    public EventChannelError BindInterdomain(DomId remoteDom, uint remotePort, out uint port)
    {
        port = 0;
        var remote = remoteDom == DomId.Self ? this : Peer(remoteDom);
        if (remote is null)
        {
            return EventChannelError.NoSuchDomain;
        }

        if (remotePort == 0 || remotePort >= (uint)remote._ports.Length || remote._ports[remotePort].State != EvtchnStatus.Unbound || remote._ports[remotePort].RemoteDom != _self)
        {
            return EventChannelError.BadPort;
        }

        if (!TryFindFree(out port))
        {
            return EventChannelError.NoFreePort;
        }

        _ports[port] = new EventPort(EvtchnStatus.Interdomain, remote._self, remotePort, 0, 0, false);
        remote._ports[remotePort] = remote._ports[remotePort] with { State = EvtchnStatus.Interdomain, RemoteDom = _self, RemotePort = port };
        SetPending(port);
        return EventChannelError.None;
    }

    public EventChannelError BindVirq(uint virq, int vcpu, out uint port)
    {
        port = 0;
        if (virq >= VirqFacts.Count)
        {
            return EventChannelError.BadVirq;
        }

        if (!VirqFacts.IsPerVcpu((Virq)virq))
        {
            if (vcpu != 0)
            {
                return EventChannelError.BadVirq;
            }

            return EventChannelError.VirqOwnedElsewhere;
        }

        if (vcpu < 0 || vcpu >= _vcpuCount)
        {
            return EventChannelError.NoSuchVcpu;
        }

        if (_virqPorts[vcpu, virq] != 0)
        {
            return EventChannelError.AlreadyBound;
        }

        if (!TryFindFree(out port))
        {
            return EventChannelError.NoFreePort;
        }

        _ports[port] = new EventPort(EvtchnStatus.Virq, default, 0, virq, vcpu, false);
        _virqPorts[vcpu, virq] = (int)port;
        return EventChannelError.None;
    }

    public EventChannelError BindIpi(int vcpu, out uint port)
    {
        port = 0;
        if (vcpu < 0 || vcpu >= _vcpuCount)
        {
            return EventChannelError.NoSuchVcpu;
        }

        if (!TryFindFree(out port))
        {
            return EventChannelError.NoFreePort;
        }

        _ports[port] = new EventPort(EvtchnStatus.Ipi, default, 0, 0, vcpu, false);
        return EventChannelError.None;
    }

    public EventChannelError BindVcpu(uint port, int vcpu)
    {
        if (!IsOpen(port))
        {
            return EventChannelError.BadPort;
        }

        if (vcpu < 0 || vcpu >= _vcpuCount)
        {
            return EventChannelError.NoSuchVcpu;
        }

        _ports[port] = _ports[port] with { NotifyVcpu = vcpu };
        return EventChannelError.None;
    }

    public EventChannelError Close(uint port)
    {
        if (!IsOpen(port))
        {
            return EventChannelError.BadPort;
        }

        var p = _ports[port];
        if (p.State == EvtchnStatus.Virq)
        {
            _virqPorts[p.NotifyVcpu, p.Virq] = 0;
        }
        else if (p.State == EvtchnStatus.Interdomain && !p.HostBackend && Peer(p.RemoteDom) is { } peer)
        {
            // Closing one end of a channel turns the other end back to unbound, bindable again by this domain.
            var other = peer[p.RemotePort];
            if (other.State == EvtchnStatus.Interdomain && other.RemoteDom == _self && other.RemotePort == port && (peer != this || p.RemotePort != port))
            {
                peer._ports[p.RemotePort] = other with { State = EvtchnStatus.Unbound, RemotePort = 0, RemoteDom = _self };
            }
        }

        _ports[port] = EventPort.Closed;
        return EventChannelError.None;
    }

    /// <summary>EVTCHNOP_send: interdomain raises the peer, IPI raises the port itself, unbound drops silently.</summary>
    public EventChannelError Send(uint port)
    {
        if (!IsOpen(port))
        {
            return EventChannelError.BadPort;
        }

        var p = _ports[port];
        switch (p.State)
        {
            case EvtchnStatus.Interdomain when p.HostBackend:
                BackendNotified?.Invoke(port);
                return EventChannelError.None;
            case EvtchnStatus.Interdomain when p.RemoteDom != _self && RemoteSend is { } remoteSend:
                remoteSend(p.RemoteDom, p.RemotePort);
                return EventChannelError.None;
            case EvtchnStatus.Interdomain:
                Peer(p.RemoteDom)?.SetPending(p.RemotePort);
                return EventChannelError.None;
            case EvtchnStatus.Ipi:
                SetPending(port);
                return EventChannelError.None;
            case EvtchnStatus.Unbound:
                return EventChannelError.None;
            default:
                return EventChannelError.BadPort;
        }
    }

    /// <summary>A host back-end notifies the guest on one of its host channels.</summary>
    public void NotifyFromBackend(uint port)
    {
        if (IsOpen(port) && _ports[port].HostBackend)
        {
            SetPending(port);
        }
    }

    /// <summary>Raises VIRQ <paramref name="virq"/> on <paramref name="vcpu"/>; false when it is not bound.</summary>
    public bool RaiseVirq(Virq virq, int vcpu)
    {
        int port = _virqPorts[vcpu, (int)virq];
        if (port == 0)
        {
            return false;
        }

        SetPending((uint)port);
        return true;
    }

    public bool IsVirqBound(Virq virq, int vcpu) => _virqPorts[vcpu, (int)virq] != 0;

    public EventChannelError Unmask(uint port)
    {
        if (port >= (uint)_ports.Length)
        {
            return EventChannelError.BadPort;
        }

        var layout = _shared.Layout;
        _shared.ClearBit(layout.EvtchnMask, port);
        if (_shared.TestBit(layout.EvtchnPending, port))
        {
            RaiseSelector(port);
        }

        return EventChannelError.None;
    }

    /// <summary>True when the port's pending bit is set (masks ignored), as SCHEDOP_poll tests.</summary>
    public bool IsPending(uint port) => port < (uint)_ports.Length && _shared.TestBit(_shared.Layout.EvtchnPending, port);

    /// <summary>True when <paramref name="port"/> names an allocated port.</summary>
    public bool IsOpen(uint port) => port != 0 && port < (uint)_ports.Length && _ports[port].State != EvtchnStatus.Closed;

    /// <summary>Marks a port pending in Xen's order: pending bit, then (unmasked) the selector and the upcall flag.</summary>
    public void SetPending(uint port)
    {
        if (_shared.TestAndSetBit(_shared.Layout.EvtchnPending, port))
        {
            return;
        }

        if (!_shared.TestBit(_shared.Layout.EvtchnMask, port))
        {
            RaiseSelector(port);
        }
    }

    private void RaiseSelector(uint port)
    {
        int vcpu = _ports[port].NotifyVcpu;
        if (!_shared.TestAndSetPendingSel(vcpu, (int)(port / (uint)_shared.WordBits)))
        {
            bool was = _shared.UpcallPending(vcpu);
            _shared.SetUpcallPending(vcpu, true);
            if (!was)
            {
                VcpuKicked?.Invoke(vcpu);
            }
        }
    }

    /// <summary>This domain's channels or another domain's, by id.</summary>
    private EventChannels? Peer(DomId dom) => dom == _self ? this : Peers(dom);

    private bool TryFindFree(out uint port)
    {
        for (port = 1; port < (uint)_ports.Length; port++)
        {
            if (_ports[port].State == EvtchnStatus.Closed)
            {
                return true;
            }
        }

        port = 0;
        return false;
    }
}
