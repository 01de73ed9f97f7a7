using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv.Events;

/// <summary>
/// A domain's 2-level event channels: port states here, pending and mask bits in shared_info.
/// Invariants: port 0 is never allocated; a port's pending bit is only set through
/// <see cref="SetPending"/>, which follows Xen's order (pending, then selector and upcall flag when
/// unmasked); a VIRQ is bound to at most one port per vCPU; the two ends of an interdomain channel
/// name each other (domain and port) until one end closes, which returns the other to unbound.
/// Interdomain channels join two ports of this domain (loopback), a port of this domain and one of
/// another domain, or a port and a back-end inside the host (console, XenStore), which is told of
/// every send through <see cref="IDomainHost.BackendNotified"/>.
///
/// This object never touches another domain's channels: the other half of a bind, a close or a
/// send goes to the <see cref="IDomainHost"/>, which applies it to the peer through
/// <see cref="AcceptInterdomainBind"/>, <see cref="PeerClosed"/> and <see cref="ReceiveFromPeer"/>.
/// The port table is guarded by one lock, because a peer's bind or close reaches it from the
/// thread running the peer; the shared_info bits are not, and <see cref="ReceiveFromPeer"/> must be
/// called only while none of this domain's slices runs. The host is never called under the lock.
/// </summary>
public sealed class EventChannels
{
    private readonly EventPort[] _ports;
    private readonly int[,] _virqPorts;
    private readonly SharedInfoPage _shared;
    private readonly DomId _self;
    private readonly int _vcpuCount;
    private readonly IDomainHost _host;
    private readonly Lock _lock = new();

    public EventChannels(SharedInfoPage shared, DomId self, int vcpuCount, IDomainHost host)
    {
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(host);
        _shared = shared;
        _self = self;
        _vcpuCount = vcpuCount;
        _host = host;
        _ports = new EventPort[shared.Width.EventChannelPorts()];
        _virqPorts = new int[vcpuCount, VirqFacts.Count];
    }

    public int PortCount => _ports.Length;

    public EventPort this[uint port]
    {
        get
        {
            lock (_lock)
            {
                return port < (uint)_ports.Length ? _ports[port] : EventPort.Closed;
            }
        }
    }

    /// <summary>Creates a channel whose peer is a host back-end, at a fixed port (the builder's store and console ports).</summary>
    public EventChannelError BindHostBackend(uint port, DomId backendDom)
    {
        lock (_lock)
        {
            if (port == 0 || port >= (uint)_ports.Length || _ports[port].State != EvtchnStatus.Closed)
            {
                return EventChannelError.BadPort;
            }

            _ports[port] = new EventPort(EvtchnStatus.Interdomain, backendDom, port, 0, 0, HostBackend: true);
            return EventChannelError.None;
        }
    }

    /// <summary>
    /// A back-end inside the host (an IOPM's device) connects to a port the guest allocated unbound
    /// for it (EVTCHNOP_alloc_unbound with remote_dom = the back-end's domain id): the port must be
    /// unbound for exactly <paramref name="backendDom"/>; it becomes interdomain to that domain's
    /// <paramref name="backendPort"/> (what EVTCHNOP_status reports), and the guest's sends on it go
    /// to the host's port owner.
    /// </summary>
    public EventChannelError BindUnboundToHostBackend(uint port, DomId backendDom, uint backendPort)
    {
        lock (_lock)
        {
            if (port == 0 || port >= (uint)_ports.Length || _ports[port].State != EvtchnStatus.Unbound)
            {
                return EventChannelError.BadPort;
            }

            if (_ports[port].RemoteDom != backendDom)
            {
                return EventChannelError.NotAllowedForDomain;
            }

            _ports[port] = _ports[port] with { State = EvtchnStatus.Interdomain, RemoteDom = backendDom, RemotePort = backendPort, HostBackend = true };
            return EventChannelError.None;
        }
    }

    /// <summary>
    /// The host back-end <paramref name="backendDom"/> closes its end (disconnect, device moved): the
    /// guest's port returns to unbound for that domain, as a peer's close leaves it on Xen, so the
    /// back-end may connect again. Nothing happens if the port is no longer that back-end's.
    /// </summary>
    public void UnbindHostBackend(uint port, DomId backendDom)
    {
        lock (_lock)
        {
            if (port < (uint)_ports.Length && _ports[port] is { State: EvtchnStatus.Interdomain, HostBackend: true } p && p.RemoteDom == backendDom)
            {
                _ports[port] = p with { State = EvtchnStatus.Unbound, RemotePort = 0, HostBackend = false };
            }
        }
    }

    public EventChannelError AllocUnbound(DomId remoteDom, out uint port)
    {
        lock (_lock)
        {
            if (!TryFindFree(out port))
            {
                return EventChannelError.NoFreePort;
            }

            _ports[port] = new EventPort(EvtchnStatus.Unbound, remoteDom == DomId.Self ? _self : remoteDom, 0, 0, 0, false);
            return EventChannelError.None;
        }
    }

    /// <summary>
    /// Allocates the specific port <paramref name="port"/> unbound for <paramref name="remoteDom"/>,
    /// as the toolstack does before the domain first runs (the channels named on its command line).
    /// </summary>
    public EventChannelError AllocUnboundAt(uint port, DomId remoteDom)
    {
        lock (_lock)
        {
            if (port == 0 || port >= (uint)_ports.Length || _ports[port].State != EvtchnStatus.Closed)
            {
                return EventChannelError.BadPort;
            }

            _ports[port] = new EventPort(EvtchnStatus.Unbound, remoteDom, 0, 0, 0, false);
            return EventChannelError.None;
        }
    }

    /// <summary>
    /// Binds to an unbound port of <paramref name="remoteDom"/> (this domain for a loopback channel)
    /// that allows this domain to bind it; both ends then name each other and the new port is set
    /// pending. For another domain the port is taken here first and the host asked to join the
    /// peer's end; if the peer refuses, the port is given back.
    /// </summary>
    public EventChannelError BindInterdomain(DomId remoteDom, uint remotePort, out uint port)
    {
        if (remoteDom == DomId.Self || remoteDom == _self)
        {
            return BindLoopback(remotePort, out port);
        }

        lock (_lock)
        {
            if (!TryFindFree(out port))
            {
                return EventChannelError.NoFreePort;
            }

            _ports[port] = new EventPort(EvtchnStatus.Interdomain, remoteDom, remotePort, 0, 0, false);
        }

        var error = _host.BindPeerPort(remoteDom, remotePort, _self, port);
        lock (_lock)
        {
            if (error != EventChannelError.None)
            {
                _ports[port] = EventPort.Closed;
                port = 0;
                return error;
            }

            SetPendingLocked(port, out int kick);
            Kick(kick);
            return EventChannelError.None;
        }
    }

    /// <summary>
    /// The peer's half of a bind: <paramref name="port"/> must be unbound for <paramref name="binder"/>;
    /// it then names the binder's port. Called by the host for the binding domain.
    /// </summary>
    public EventChannelError AcceptInterdomainBind(DomId binder, uint binderPort, uint port)
    {
        lock (_lock)
        {
            if (port == 0 || port >= (uint)_ports.Length || _ports[port].State != EvtchnStatus.Unbound || _ports[port].RemoteDom != binder)
            {
                return EventChannelError.BadPort;
            }

            _ports[port] = _ports[port] with { State = EvtchnStatus.Interdomain, RemoteDom = binder, RemotePort = binderPort };
            return EventChannelError.None;
        }
    }

    /// <summary>
    /// The peer's half of a close: <paramref name="port"/> returns to unbound for the closer, if it
    /// still names the closer's port. Called by the host for the closing domain.
    /// </summary>
    public void PeerClosed(DomId closer, uint closerPort, uint port)
    {
        lock (_lock)
        {
            if (port < (uint)_ports.Length && _ports[port] is { State: EvtchnStatus.Interdomain, HostBackend: false } p && p.RemoteDom == closer && p.RemotePort == closerPort)
            {
                _ports[port] = p with { State = EvtchnStatus.Unbound, RemotePort = 0, RemoteDom = closer };
            }
        }
    }

    /// <summary>
    /// The peer's half of a send: raises <paramref name="port"/> if it is still the other end of the
    /// sender's port (a send that crossed a close is dropped). Only while none of this domain's slices runs.
    /// </summary>
    public void ReceiveFromPeer(DomId sender, uint senderPort, uint port)
    {
        int kick;
        lock (_lock)
        {
            if (port >= (uint)_ports.Length || _ports[port] is not { State: EvtchnStatus.Interdomain, HostBackend: false } p || p.RemoteDom != sender || p.RemotePort != senderPort)
            {
                return;
            }

            SetPendingLocked(port, out kick);
        }

        Kick(kick);
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

        lock (_lock)
        {
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
    }

    public EventChannelError BindIpi(int vcpu, out uint port)
    {
        port = 0;
        if (vcpu < 0 || vcpu >= _vcpuCount)
        {
            return EventChannelError.NoSuchVcpu;
        }

        lock (_lock)
        {
            if (!TryFindFree(out port))
            {
                return EventChannelError.NoFreePort;
            }

            _ports[port] = new EventPort(EvtchnStatus.Ipi, default, 0, 0, vcpu, false);
            return EventChannelError.None;
        }
    }

    public EventChannelError BindVcpu(uint port, int vcpu)
    {
        lock (_lock)
        {
            if (!IsOpenLocked(port))
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
    }

    /// <summary>EVTCHNOP_close: the port becomes free; the other end of an interdomain channel returns to unbound.</summary>
    public EventChannelError Close(uint port)
    {
        EventPort p;
        lock (_lock)
        {
            if (!IsOpenLocked(port))
            {
                return EventChannelError.BadPort;
            }

            p = _ports[port];
            if (p.State == EvtchnStatus.Virq)
            {
                _virqPorts[p.NotifyVcpu, p.Virq] = 0;
            }
            else if (p.State == EvtchnStatus.Interdomain && !p.HostBackend && p.RemoteDom == _self && p.RemotePort != port)
            {
                // Closing one end of a loopback channel turns the other end back to unbound, bindable again by this domain.
                var other = _ports[p.RemotePort];
                if (other.State == EvtchnStatus.Interdomain && other.RemoteDom == _self && other.RemotePort == port)
                {
                    _ports[p.RemotePort] = other with { State = EvtchnStatus.Unbound, RemotePort = 0, RemoteDom = _self };
                }
            }

            _ports[port] = EventPort.Closed;
        }

        if (p.State == EvtchnStatus.Interdomain && !p.HostBackend && p.RemoteDom != _self)
        {
            _host.ClosePeerPort(p.RemoteDom, p.RemotePort, _self, port);
        }

        return EventChannelError.None;
    }

    /// <summary>EVTCHNOP_send: interdomain raises the peer, IPI raises the port itself, unbound drops silently.</summary>
    public EventChannelError Send(uint port)
    {
        EventPort p;
        int kick = -1;
        lock (_lock)
        {
            if (!IsOpenLocked(port))
            {
                return EventChannelError.BadPort;
            }

            p = _ports[port];
            switch (p.State)
            {
                case EvtchnStatus.Interdomain when p.HostBackend:
                case EvtchnStatus.Interdomain when p.RemoteDom != _self:
                case EvtchnStatus.Unbound:
                    break;
                case EvtchnStatus.Interdomain:
                    SetPendingLocked(p.RemotePort, out kick);
                    break;
                case EvtchnStatus.Ipi:
                    SetPendingLocked(port, out kick);
                    break;
                default:
                    return EventChannelError.BadPort;
            }
        }

        Kick(kick);
        if (p.State == EvtchnStatus.Interdomain && p.HostBackend)
        {
            _host.BackendNotified(_self, port);
        }
        else if (p.State == EvtchnStatus.Interdomain && p.RemoteDom != _self)
        {
            _host.SendToPeer(p.RemoteDom, p.RemotePort, _self, port);
        }

        return EventChannelError.None;
    }

    /// <summary>A host back-end notifies the guest on one of its host channels.</summary>
    public void NotifyFromBackend(uint port)
    {
        int kick = -1;
        lock (_lock)
        {
            if (IsOpenLocked(port) && _ports[port].HostBackend)
            {
                SetPendingLocked(port, out kick);
            }
        }

        Kick(kick);
    }

    /// <summary>
    /// Host back-end <paramref name="backendDom"/> notifies the guest on its channel; dropped when the
    /// port is no longer bound to that back-end (closed by the guest, or reused). Only while none of
    /// this domain's slices runs, as <see cref="ReceiveFromPeer"/>.
    /// </summary>
    public void NotifyFromBackend(uint port, DomId backendDom)
    {
        int kick = -1;
        lock (_lock)
        {
            if (IsOpenLocked(port) && _ports[port] is { State: EvtchnStatus.Interdomain, HostBackend: true } p && p.RemoteDom == backendDom)
            {
                SetPendingLocked(port, out kick);
            }
        }

        Kick(kick);
    }

    /// <summary>Raises VIRQ <paramref name="virq"/> on <paramref name="vcpu"/>; false when it is not bound.</summary>
    public bool RaiseVirq(Virq virq, int vcpu)
    {
        int kick;
        lock (_lock)
        {
            int port = _virqPorts[vcpu, (int)virq];
            if (port == 0)
            {
                return false;
            }

            SetPendingLocked((uint)port, out kick);
        }

        Kick(kick);
        return true;
    }

    public bool IsVirqBound(Virq virq, int vcpu)
    {
        lock (_lock)
        {
            return _virqPorts[vcpu, (int)virq] != 0;
        }
    }

    public EventChannelError Unmask(uint port)
    {
        if (port >= (uint)_ports.Length)
        {
            return EventChannelError.BadPort;
        }

        int kick = -1;
        lock (_lock)
        {
            var layout = _shared.Layout;
            _shared.ClearBit(layout.EvtchnMask, port);
            if (_shared.TestBit(layout.EvtchnPending, port))
            {
                RaiseSelectorLocked(port, out kick);
            }
        }

        Kick(kick);
        return EventChannelError.None;
    }

    /// <summary>True when the port's pending bit is set (masks ignored), as SCHEDOP_poll tests.</summary>
    public bool IsPending(uint port) => port < (uint)_ports.Length && _shared.TestBit(_shared.Layout.EvtchnPending, port);

    /// <summary>True when <paramref name="port"/> names an allocated port.</summary>
    public bool IsOpen(uint port)
    {
        lock (_lock)
        {
            return IsOpenLocked(port);
        }
    }

    /// <summary>Marks a port of this domain pending in Xen's order: pending bit, then (unmasked) the selector and the upcall flag.</summary>
    public void SetPending(uint port)
    {
        int kick;
        lock (_lock)
        {
            SetPendingLocked(port, out kick);
        }

        Kick(kick);
    }

    private bool IsOpenLocked(uint port) => port != 0 && port < (uint)_ports.Length && _ports[port].State != EvtchnStatus.Closed;

    /// <summary>Sets the pending bit; <paramref name="kick"/> is the vCPU to kick once the lock is released, or -1.</summary>
    private void SetPendingLocked(uint port, out int kick)
    {
        kick = -1;
        if (_shared.TestAndSetBit(_shared.Layout.EvtchnPending, port))
        {
            return;
        }

        if (!_shared.TestBit(_shared.Layout.EvtchnMask, port))
        {
            RaiseSelectorLocked(port, out kick);
        }
    }

    private void RaiseSelectorLocked(uint port, out int kick)
    {
        kick = -1;
        int vcpu = _ports[port].NotifyVcpu;
        if (!_shared.TestAndSetPendingSel(vcpu, (int)(port / (uint)_shared.WordBits)))
        {
            bool was = _shared.UpcallPending(vcpu);
            _shared.SetUpcallPending(vcpu, true);
            if (!was)
            {
                kick = vcpu;
            }
        }
    }

    private void Kick(int vcpu)
    {
        if (vcpu >= 0)
        {
            _host.VcpuKicked(_self, vcpu);
        }
    }

    private EventChannelError BindLoopback(uint remotePort, out uint port)
    {
        int kick;
        lock (_lock)
        {
            port = 0;
            if (remotePort == 0 || remotePort >= (uint)_ports.Length || _ports[remotePort].State != EvtchnStatus.Unbound || _ports[remotePort].RemoteDom != _self)
            {
                return EventChannelError.BadPort;
            }

            if (!TryFindFree(out port))
            {
                return EventChannelError.NoFreePort;
            }

            _ports[port] = new EventPort(EvtchnStatus.Interdomain, _self, remotePort, 0, 0, false);
            _ports[remotePort] = _ports[remotePort] with { State = EvtchnStatus.Interdomain, RemoteDom = _self, RemotePort = port };
            SetPendingLocked(port, out kick);
        }

        Kick(kick);
        return EventChannelError.None;
    }

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
