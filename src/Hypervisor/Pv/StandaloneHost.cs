using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The host of a domain that runs alone on its machine (<c>actorvisor boot</c>, benchmarks, tools):
/// there are no peers, so binding to another domain finds none and nothing is sent anywhere;
/// console text, log lines and the hypercall trace go to the callbacks given at construction;
/// back-end ports are served from <see cref="Ports"/>. Kicks and vCPUs coming up need no action
/// here: whoever runs the vCPUs looks at their state after every slice.
/// </summary>
public sealed class StandaloneHost : IDomainHost
{
    private readonly Action<string>? _console;
    private readonly Action<string>? _log;
    private readonly Action<HypercallTraceEntry>? _trace;

    /// <param name="console">Receives CONSOLEIO_write text, or null to drop it.</param>
    /// <param name="log">Receives the domain's log lines, or null.</param>
    /// <param name="trace">Receives every hypercall, or null for no trace.</param>
    public StandaloneHost(Action<string>? console = null, Action<string>? log = null, Action<HypercallTraceEntry>? trace = null)
    {
        _console = console;
        _log = log;
        _trace = trace;
    }

    /// <summary>The owners of the domain's back-end ports.</summary>
    public BackendPorts Ports { get; } = new();

    public bool TracesHypercalls => _trace is not null;

    public void ConsoleWritten(DomId domain, string text) => _console?.Invoke(text);

    public void Logged(DomId domain, string line) => _log?.Invoke(line);

    public void HypercallMade(DomId domain, HypercallTraceEntry entry) => _trace?.Invoke(entry);

    public void VcpuKicked(DomId domain, int vcpu)
    {
    }

    public void VcpuCameUp(DomId domain, int vcpu)
    {
    }

    public void BackendNotified(DomId domain, uint port) => Ports.Notify(domain, port);

    public PvDomain? FindPeer(DomId domain) => null;

    public EventChannelError BindPeerPort(DomId target, uint targetPort, DomId binder, uint binderPort) => EventChannelError.NoSuchDomain;

    public void ClosePeerPort(DomId target, uint targetPort, DomId closer, uint closerPort)
    {
    }

    public void SendToPeer(DomId target, uint targetPort, DomId sender, uint senderPort)
    {
    }

    /// <summary>Alone on its machine, a domain has no one to transfer a page to.</summary>
    public GrantStatus TransferPage(DomId target, uint gref, DomId sender, ulong mfn) => GrantStatus.BadDomain;
}
