using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// The saved shape of a store: plain data, no references. Open transactions are kept only by
/// id and owner; their changes are not saved, so after a restore they commit with EAGAIN and
/// the client retries, as Xen clients already must.
/// </summary>
public sealed partial record XenStoreState(
    int Version,
    long Generation,
    uint NextTransactionId,
    IReadOnlyList<XenStoreState.NodeRecord> Nodes,
    IReadOnlyList<XenStoreState.WatchRecord> Watches,
    IReadOnlyList<XenStoreState.EventRecord> PendingEvents,
    IReadOnlyList<XenStoreState.TransactionRecord> OpenTransactions,
    IReadOnlyList<ushort> IntroducedDomains)
{
    public const int CurrentVersion = 1;

    /// <summary>A node, parents before children; the root is the record with path "/".</summary>
    public sealed record NodeRecord(string Path, byte[] Value, IReadOnlyList<StorePermission> Permissions, long Generation);

    public sealed record WatchRecord(DomId Owner, string Path, string Token, bool Relative);

    public sealed record EventRecord(DomId Domain, string Path, string Token);

    public sealed record TransactionRecord(uint Id, DomId Owner);
}
