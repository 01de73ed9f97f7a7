namespace ActorVisor.Host.Domains;

/// <summary>One line of the domain list and of the run summary.</summary>
/// <param name="Name">The domain's name from its configuration.</param>
/// <param name="DomainId">The domain id of its latest incarnation.</param>
/// <param name="State">Its lifecycle state.</param>
/// <param name="ExitReason">Why it stopped (poweroff, crash: detail, host fault: detail), or null while it lives.</param>
/// <param name="Instructions">Guest instructions retired, over all incarnations.</param>
/// <param name="Hypercalls">Hypercalls made, over all incarnations.</param>
/// <param name="CpuNs">Virtual time its vCPUs ran on a physical CPU.</param>
/// <param name="Restarts">How often its on_poweroff/on_reboot/on_crash policy restarted it.</param>
/// <param name="MaxMemoryBytes">The most memory it may hold (its max reservation) while it is live; 0 once its memory is gone.</param>
public sealed record DomainInfo(string Name, int DomainId, DomainState State, string? ExitReason, long Instructions, long Hypercalls, long CpuNs, int Restarts, long MaxMemoryBytes = 0);
