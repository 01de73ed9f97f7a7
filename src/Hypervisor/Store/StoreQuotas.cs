namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Per-domain limits that keep one guest from exhausting the store; the control domain is not
/// limited. The defaults are those of Xen's C xenstored.
/// </summary>
/// <param name="MaxNodesPerDomain">Nodes a domain may own (ENOSPC beyond).</param>
/// <param name="MaxValueBytes">Largest value a domain may write (ENOSPC beyond).</param>
/// <param name="MaxWatchesPerDomain">Watches a domain may hold (E2BIG beyond).</param>
/// <param name="MaxTransactionsPerDomain">Transactions a domain may have open (ENOSPC beyond).</param>
/// <param name="MaxPendingEventsPerDomain">Undelivered watch events kept per domain; older ones are dropped beyond.</param>
public sealed record StoreQuotas(
    int MaxNodesPerDomain = 1000,
    int MaxValueBytes = 2048,
    int MaxWatchesPerDomain = 128,
    int MaxTransactionsPerDomain = 10,
    int MaxPendingEventsPerDomain = 1024);
