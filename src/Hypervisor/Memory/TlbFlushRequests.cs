namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// TLB maintenance a page-table operation asks its caller to carry out before the guest runs on.
/// Requests for a set of vCPUs are widened to all vCPUs, which is always safe.
/// </summary>
public sealed class TlbFlushRequests
{
    private readonly List<ulong> _localPages = [];
    private readonly List<ulong> _allVcpuPages = [];

    /// <summary>Flush this vCPU's whole TLB.</summary>
    public bool FlushLocal { get; private set; }

    /// <summary>Flush every vCPU's whole TLB.</summary>
    public bool FlushAllVcpus { get; private set; }

    /// <summary>Single pages to invalidate on this vCPU.</summary>
    public IReadOnlyList<ulong> LocalPages => _localPages;

    /// <summary>Single pages to invalidate on every vCPU.</summary>
    public IReadOnlyList<ulong> AllVcpuPages => _allVcpuPages;

    /// <summary>True when nothing needs flushing.</summary>
    public bool IsEmpty => !FlushLocal && !FlushAllVcpus && _localPages.Count == 0 && _allVcpuPages.Count == 0;

    public void RequestFlushLocal() => FlushLocal = true;

    public void RequestFlushAll() => FlushAllVcpus = true;

    public void RequestInvlpgLocal(ulong va) => _localPages.Add(va);

    public void RequestInvlpgAll(ulong va) => _allVcpuPages.Add(va);

    /// <summary>Forgets all requests, once the caller has carried them out.</summary>
    public void Clear()
    {
        FlushLocal = false;
        FlushAllVcpus = false;
        _localPages.Clear();
        _allVcpuPages.Clear();
    }
}
