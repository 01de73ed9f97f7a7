using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Events;

/// <summary>The state of one port.</summary>
public enum PortState
{
    Free,
    Reserved,
    Unbound,
    Interdomain,
    Virq,
    Ipi,
}

/// <summary>What EVTCHNOP_status reports for a port.</summary>
public readonly record struct PortStatus(EvtchnStatus Status, uint Vcpu, DomId RemoteDomain, uint RemotePort, uint Virq);

/// <summary>
/// One domain's event channels (2-level ABI). Port lifecycle:
/// <code>
///   Free --AllocUnbound--> Unbound --BindInterdomain (by the remote)--> Interdomain
///   Free --BindInterdomain--> Interdomain (new local end; the peer's Unbound end becomes Interdomain)
///   Free --BindVirq--> Virq        Free --BindIpi--> Ipi
///   Interdomain --Close--> Free    (the peer's end goes back to Unbound, offered to us)
///   Unbound | Virq | Ipi --Close--> Free
/// </code>
/// Port 0 is Reserved forever. Invariants: an Interdomain port's peer is an Interdomain port that
/// names it back; each VIRQ is bound to at most one port per vCPU; setting a port pending follows
/// Xen's order (pending, then selector and upcall only if unmasked).
/// </summary>
public sealed class EventChannelTable
{
    private readonly List<Channel> _ports = [new Channel { State = PortState.Reserved }];
    private readonly uint[,] _virqPorts;
    private readonly Func<DomId, EventChannelTable?> _directory;

    public EventChannelTable(DomId owner, SharedInfoPage shared, int vcpuCount, bool isPrivileged, Func<DomId, EventChannelTable?> directory)
    {
        Owner = owner;
        Shared = shared;
        VcpuCount = vcpuCount;
        IsPrivileged = isPrivileged;
        MaxPorts = shared.Width.EventChannelPorts();
        _virqPorts = new uint[vcpuCount, VirqFacts.Count];
        _directory = directory;
    }

    public DomId Owner { get; }

    public SharedInfoPage Shared { get; }

    public int VcpuCount { get; }

    public bool IsPrivileged { get; }

    public int MaxPorts { get; }

    /// <summary>Raised with the vCPU to wake when a port becomes deliverable to it.</summary>
    public event Action<int>? VcpuKicked;

    /// <summary>The state of a port (Free for ports never allocated).</summary>
    public PortState StateOf(uint port) => port < (uint)_ports.Count ? _ports[(int)port].State : PortState.Free;

    public EventChannelError AllocUnbound(DomId dom, DomId remoteDom, out uint port)
    {
        port = 0;
        if (!IsSelf(dom))
        {
            return _directory(dom) is null ? EventChannelError.NoSuchDomain : EventChannelError.NotPermitted;
        }

        var error = Allocate(out port);
        if (error == EventChannelError.None)
        {
            Set(port, new Channel { State = PortState.Unbound, Remote = IsSelf(remoteDom) ? Owner : remoteDom });
        }

        return error;
    }

    public EventChannelError BindInterdomain(DomId remoteDom, uint remotePort, out uint localPort)
    {
        localPort = 0;
        var remote = IsSelf(remoteDom) ? this : _directory(remoteDom);
        if (remote is null)
        {
            return EventChannelError.NoSuchDomain;
        }

        if (remote.StateOf(remotePort) != PortState.Unbound || remote._ports[(int)remotePort].Remote != Owner)
        {
            return EventChannelError.RemotePortNotOffered;
        }

        var error = Allocate(out localPort);
        if (error != EventChannelError.None)
        {
            return error;
        }

        Set(localPort, new Channel { State = PortState.Interdomain, Remote = remote.Owner, RemotePort = remotePort });
        var peer = remote._ports[(int)remotePort];
        remote.Set(remotePort, peer with { State = PortState.Interdomain, Remote = Owner, RemotePort = localPort });
        SetPending(localPort);
        return EventChannelError.None;
    }

    public EventChannelError BindVirq(uint virq, uint vcpu, out uint port)
    {
        port = 0;
        if (virq >= VirqFacts.Count)
        {
            return EventChannelError.BadVirq;
        }

        bool perVcpu = VirqFacts.IsPerVcpu((Virq)virq);
        if (!perVcpu && vcpu != 0)
        {
            return EventChannelError.BadVirq;
        }

        if (vcpu >= (uint)VcpuCount)
        {
            return EventChannelError.NoSuchVcpu;
        }

        if (!perVcpu && !IsPrivileged)
        {
            return EventChannelError.VirqNotOurs;
        }

        if (_virqPorts[vcpu, virq] != 0)
        {
            return EventChannelError.AlreadyBound;
        }

        var error = Allocate(out port);
        if (error == EventChannelError.None)
        {
            Set(port, new Channel { State = PortState.Virq, Virq = virq, Vcpu = vcpu });
            _virqPorts[vcpu, virq] = port;
        }

        return error;
    }

    public EventChannelError BindIpi(uint vcpu, out uint port)
    {
        port = 0;
        if (vcpu >= (uint)VcpuCount)
        {
            return EventChannelError.NoSuchVcpu;
        }

        var error = Allocate(out port);
        if (error == EventChannelError.None)
        {
            Set(port, new Channel { State = PortState.Ipi, Vcpu = vcpu });
        }

        return error;
    }

    public EventChannelError BindVcpu(uint port, uint vcpu)
    {
        if (vcpu >= (uint)VcpuCount)
        {
            return EventChannelError.NoSuchVcpu;
        }

        var state = StateOf(port);
        var channel = state is PortState.Free or PortState.Reserved ? default : _ports[(int)port];
        bool movable = state is PortState.Unbound or PortState.Interdomain
            || (state == PortState.Virq && !VirqFacts.IsPerVcpu((Virq)channel.Virq));
        if (!movable)
        {
            return EventChannelError.BadPort;
        }

        Set(port, channel with { Vcpu = vcpu });
        return EventChannelError.None;
    }

    public EventChannelError Close(uint port)
    {
        var state = StateOf(port);
        switch (state)
        {
            case PortState.Free:
            case PortState.Reserved:
                return EventChannelError.BadPort;
            case PortState.Interdomain:
                var channel = _ports[(int)port];
                var peer = channel.Remote == Owner ? this : _directory(channel.Remote);
                if (peer is not null && peer.StateOf(channel.RemotePort) == PortState.Interdomain)
                {
                    var peerChannel = peer._ports[(int)channel.RemotePort];
                    peer.Set(channel.RemotePort, peerChannel with { State = PortState.Unbound, Remote = Owner, RemotePort = 0 });
                }

                break;
            case PortState.Virq:
                var v = _ports[(int)port];
                _virqPorts[v.Vcpu, v.Virq] = 0;
                break;
        }

        Set(port, default);
        return EventChannelError.None;
    }

    public EventChannelError Send(uint port)
    {
        switch (StateOf(port))
        {
            case PortState.Interdomain:
                var channel = _ports[(int)port];
                var peer = channel.Remote == Owner ? this : _directory(channel.Remote);
                peer?.SetPending(channel.RemotePort);
                return EventChannelError.None;
            case PortState.Ipi:
                SetPending(port);
                return EventChannelError.None;
            case PortState.Unbound:
                return EventChannelError.None;
            default:
                return EventChannelError.BadPort;
        }
    }

    public EventChannelError Status(DomId dom, uint port, out PortStatus status)
    {
        status = default;
        var table = IsSelf(dom) ? this : _directory(dom);
        if (table is null)
        {
            return EventChannelError.NoSuchDomain;
        }

        if (table != this && !IsPrivileged)
        {
            return EventChannelError.NotPermitted;
        }

        if (port >= (uint)table.MaxPorts)
        {
            return EventChannelError.BadPort;
        }

        var state = table.StateOf(port);
        var c = state == PortState.Free ? default : table._ports[(int)port];
        status = state switch
        {
            PortState.Unbound => new PortStatus(EvtchnStatus.Unbound, c.Vcpu, c.Remote, 0, 0),
            PortState.Interdomain => new PortStatus(EvtchnStatus.Interdomain, c.Vcpu, c.Remote, c.RemotePort, 0),
            PortState.Virq => new PortStatus(EvtchnStatus.Virq, c.Vcpu, default, 0, c.Virq),
            PortState.Ipi => new PortStatus(EvtchnStatus.Ipi, c.Vcpu, default, 0, 0),
            _ => new PortStatus(EvtchnStatus.Closed, 0, default, 0, 0),
        };
        return EventChannelError.None;
    }

    public EventChannelError Unmask(uint port)
    {
        if (port >= (uint)_ports.Count)
        {
            return EventChannelError.BadPort;
        }

        Shared.ClearMask(port);
        int vcpu = StateOf(port) is PortState.Free or PortState.Reserved ? 0 : (int)_ports[(int)port].Vcpu;
        if (Shared.IsPending(port) && !Shared.TestAndSetSelector(vcpu, (int)(port / (uint)Shared.WordBits)))
        {
            RaiseUpcall(vcpu);
        }

        return EventChannelError.None;
    }

    /// <summary>Raises a VIRQ on a vCPU (the hypervisor's timer, console and the like); false when it is not bound.</summary>
    public bool RaiseVirq(Virq virq, int vcpu)
    {
        uint port = _virqPorts[vcpu, (int)virq];
        if (port == 0)
        {
            return false;
        }

        SetPending(port);
        return true;
    }

    /// <summary>The port a VIRQ is bound to on a vCPU, or 0.</summary>
    public uint PortOfVirq(Virq virq, int vcpu) => _virqPorts[vcpu, (int)virq];

    /// <summary>Marks a port pending, in Xen's order: pending bit, then (if unmasked) selector and upcall.</summary>
    public void SetPending(uint port)
    {
        if (Shared.TestAndSetPending(port))
        {
            return;
        }

        int vcpu = port < (uint)_ports.Count ? (int)_ports[(int)port].Vcpu : 0;
        if (!Shared.IsMasked(port) && !Shared.TestAndSetSelector(vcpu, (int)(port / (uint)Shared.WordBits)))
        {
            RaiseUpcall(vcpu);
        }
    }

    private void RaiseUpcall(int vcpu)
    {
        bool wasPending = Shared.UpcallPending(vcpu) != 0;
        Shared.SetUpcallPending(vcpu);
        if (!wasPending)
        {
            VcpuKicked?.Invoke(vcpu);
        }
    }

    private bool IsSelf(DomId dom) => dom == DomId.Self || dom == Owner;

    private EventChannelError Allocate(out uint port)
    {
        for (port = 1; port < (uint)_ports.Count; port++)
        {
            if (_ports[(int)port].State == PortState.Free)
            {
                return EventChannelError.None;
            }
        }

        if (_ports.Count >= MaxPorts)
        {
            port = 0;
            return EventChannelError.NoFreePort;
        }

        _ports.Add(default);
        port = (uint)(_ports.Count - 1);
        return EventChannelError.None;
    }

    private void Set(uint port, Channel channel) => _ports[(int)port] = channel;

    private record struct Channel
    {
        public PortState State;
        public DomId Remote;
        public uint RemotePort;
        public uint Virq;
        public uint Vcpu;
    }
}
