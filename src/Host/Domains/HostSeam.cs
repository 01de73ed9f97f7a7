using System.Collections.Concurrent;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The host's side of <see cref="IDomainHost"/>: the live domains of one machine by id, the owners
/// of their back-end ports (console, XenStore, device back-ends: one owner per port), and where
/// each effect of one domain on another lands. Port-table halves of a bind or close are applied at
/// once under the target's port lock; a send is applied inside the target's
/// <see cref="LiveDomain.Exclusive"/>, so a peer running on another physical CPU never has its
/// shared_info written in the middle of its slice. Kicks and vCPUs coming up go to the wake-up
/// each domain's actor connected (<see cref="LiveDomain.ConnectWake"/>). Every method may be called
/// from a physical-CPU thread; the tables are concurrent.
/// </summary>
public sealed class HostSeam : IDomainHost
{
    private readonly Action<string>? _log;
    private readonly Action<HypercallTraceEntry>? _trace;

    /// <summary>Every domain from its build until its memory is gone, for what it tells its own host (console text, kicks).</summary>
    private readonly ConcurrentDictionary<int, LiveDomain> _attached = new();

    /// <param name="log">Receives the domains' log lines (unimplemented instructions, crashes), or null to drop them.</param>
    /// <param name="trace">Receives every hypercall of every domain, or null for no trace.</param>
    public HostSeam(Action<string>? log = null, Action<HypercallTraceEntry>? trace = null)
    {
        _log = log;
        _trace = trace;
    }

    /// <summary>The live domains by id, as peers see them: in the table from their build until they are retired.</summary>
    internal ConcurrentDictionary<int, LiveDomain> Domains { get; } = new();

    /// <summary>The owners of the domains' back-end ports.</summary>
    public BackendPorts Ports { get; } = new();

    public bool TracesHypercalls => _trace is not null;

    /// <summary>Puts a built domain in the table and makes its console back-end the owner of its console port.</summary>
    internal void Attach(LiveDomain live)
    {
        var id = live.Domain.Id;
        Domains[id.Value] = live;
        _attached[id.Value] = live;
        Ports.Register(id, live.Domain.Built.Config.ConsoleEvtchn, live.Console.Collect);
    }

    /// <summary>Forgets a domain whose memory is gone: its table entry (if still there) and its ports.</summary>
    internal void Detach(LiveDomain live)
    {
        var id = live.Domain.Id;
        Domains.TryRemove(new KeyValuePair<int, LiveDomain>(id.Value, live));
        _attached.TryRemove(new KeyValuePair<int, LiveDomain>(id.Value, live));
        Ports.UnregisterAll(id);
    }

    public void ConsoleWritten(DomId domain, string text)
    {
        if (_attached.TryGetValue(domain.Value, out var live))
        {
            live.Console.Write(text);
        }
    }

    public void Logged(DomId domain, string line) => _log?.Invoke(line);

    public void HypercallMade(DomId domain, HypercallTraceEntry entry) => _trace?.Invoke(entry);

    public void VcpuKicked(DomId domain, int vcpu)
    {
        if (_attached.TryGetValue(domain.Value, out var live))
        {
            live.Wake(vcpu);
        }
    }

    public void VcpuCameUp(DomId domain, int vcpu) => VcpuKicked(domain, vcpu);

    public void BackendNotified(DomId domain, uint port) => Ports.Notify(domain, port);

    public PvDomain? FindPeer(DomId domain) => Domains.TryGetValue(domain.Value, out var live) ? live.Domain : null;

    public EventChannelError BindPeerPort(DomId target, uint targetPort, DomId binder, uint binderPort) =>
        Domains.TryGetValue(target.Value, out var live)
            ? live.Domain.Events.AcceptInterdomainBind(binder, binderPort, targetPort)
            : EventChannelError.NoSuchDomain;

    public void ClosePeerPort(DomId target, uint targetPort, DomId closer, uint closerPort)
    {
        if (Domains.TryGetValue(target.Value, out var live))
        {
            live.Domain.Events.PeerClosed(closer, closerPort, targetPort);
        }
    }

    public void SendToPeer(DomId target, uint targetPort, DomId sender, uint senderPort)
    {
        if (Domains.TryGetValue(target.Value, out var peer))
        {
            peer.Exclusive(() => peer.Domain.Events.ReceiveFromPeer(sender, senderPort, targetPort));
        }
    }

    /// <summary>Called holding the machine's frame lock: the target takes the page at once or refuses it.</summary>
    public GrantStatus TransferPage(DomId target, uint gref, DomId sender, ulong mfn) =>
        Domains.TryGetValue(target.Value, out var live) ? live.Domain.AcceptTransferredPage(sender, gref, mfn) : GrantStatus.BadDomain;
}
