using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Tests;

/// <summary>
/// A small real host for tests, on one thread: it knows the domains (or bare event channels) added
/// to it, answers the port-table halves of binds and closes at once, and applies a send to a
/// domain marked as running a slice (<see cref="BeginSlice"/>) only when that slice ends
/// (<see cref="EndSlice"/>), as the actor host does with its domains' Exclusive. It records what the
/// domains told it.
/// </summary>
internal sealed class TestDomainHost : IDomainHost
{
    private readonly Dictionary<DomId, EventChannels> _channels = [];
    private readonly Dictionary<DomId, PvDomain> _domains = [];
    private readonly HashSet<DomId> _running = [];
    private readonly Dictionary<DomId, List<Action>> _deferred = [];
    private readonly StringBuilder _console = new();

    /// <summary>Receives every hypercall of every domain when set at construction.</summary>
    public TestDomainHost(Action<HypercallTraceEntry>? trace = null) => Trace = trace;

    public Action<HypercallTraceEntry>? Trace { get; }

    /// <summary>Owners of back-end ports.</summary>
    public BackendPorts Ports { get; } = new();

    /// <summary>Everything written with console_io, by all domains.</summary>
    public string Console => _console.ToString();

    public List<string> Log { get; } = [];

    public List<(DomId Domain, int Vcpu)> Kicks { get; } = [];

    public List<(DomId Domain, int Vcpu)> CameUp { get; } = [];

    public List<(DomId Domain, uint Port)> BackendSends { get; } = [];

    /// <summary>Every cross-domain effect asked for, in order, as "op target:port from source:port".</summary>
    public List<string> CrossDomain { get; } = [];

    public bool TracesHypercalls => Trace is not null;

    public void Add(PvDomain domain)
    {
        _domains[domain.Id] = domain;
        _channels[domain.Id] = domain.Events;
    }

    public void Add(DomId id, EventChannels channels) => _channels[id] = channels;

    /// <summary>Marks the domain as running a slice: sends to it wait until <see cref="EndSlice"/>.</summary>
    public void BeginSlice(DomId domain) => _running.Add(domain);

    /// <summary>Ends the domain's slice and applies what waited for it.</summary>
    public void EndSlice(DomId domain)
    {
        _running.Remove(domain);
        if (_deferred.Remove(domain, out var actions))
        {
            foreach (var action in actions)
            {
                action();
            }
        }
    }

    public void ConsoleWritten(DomId domain, string text) => _console.Append(text);

    public void Logged(DomId domain, string line) => Log.Add(line);

    public void HypercallMade(DomId domain, HypercallTraceEntry entry) => Trace?.Invoke(entry);

    public void VcpuKicked(DomId domain, int vcpu) => Kicks.Add((domain, vcpu));

    public void VcpuCameUp(DomId domain, int vcpu) => CameUp.Add((domain, vcpu));

    public void BackendNotified(DomId domain, uint port)
    {
        BackendSends.Add((domain, port));
        Ports.Notify(domain, port);
    }

    public PvDomain? FindPeer(DomId domain) => _domains.GetValueOrDefault(domain);

    public EventChannelError BindPeerPort(DomId target, uint targetPort, DomId binder, uint binderPort)
    {
        CrossDomain.Add($"bind {target.Value}:{targetPort} from {binder.Value}:{binderPort}");
        return _channels.TryGetValue(target, out var channels)
            ? channels.AcceptInterdomainBind(binder, binderPort, targetPort)
            : EventChannelError.NoSuchDomain;
    }

    public void ClosePeerPort(DomId target, uint targetPort, DomId closer, uint closerPort)
    {
        CrossDomain.Add($"close {target.Value}:{targetPort} from {closer.Value}:{closerPort}");
        _channels.GetValueOrDefault(target)?.PeerClosed(closer, closerPort, targetPort);
    }

    public void SendToPeer(DomId target, uint targetPort, DomId sender, uint senderPort)
    {
        CrossDomain.Add($"send {target.Value}:{targetPort} from {sender.Value}:{senderPort}");
        if (!_channels.TryGetValue(target, out var channels))
        {
            return;
        }

        void Apply() => channels.ReceiveFromPeer(sender, senderPort, targetPort);
        if (_running.Contains(target))
        {
            (_deferred.TryGetValue(target, out var list) ? list : _deferred[target] = []).Add(Apply);
        }
        else
        {
            Apply();
        }
    }

    public GrantStatus TransferPage(DomId target, uint gref, DomId sender, ulong mfn)
    {
        CrossDomain.Add($"transfer mfn {mfn:x} to {target.Value} gref {gref} from {sender.Value}");
        return _domains.TryGetValue(target, out var domain) ? domain.AcceptTransferredPage(sender, gref, mfn) : GrantStatus.BadDomain;
    }
}
