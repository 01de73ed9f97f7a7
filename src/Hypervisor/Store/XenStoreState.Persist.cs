using ActorVisor.Abi;
using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// The store's state as a snapshot section (<c>store</c>): nodes parents first (path, value,
/// permissions, generation), watches, queued watch events, open transactions (id and owner) and the
/// introduced domains. Every length is bounded by the wire limits of XenStore (4 KiB payloads).
/// </summary>
public sealed partial record XenStoreState
{
    public const string SectionName = "store";

    private const int MaxNodes = 1 << 20;
    private const int MaxText = StoreRing.MaxPayloadBytes;
    private const int MaxPermissions = 1024;

    public StateSection ToSection() => StateSections.Write(SectionName, CurrentVersion, w =>
    {
        w.Int64(Generation);
        w.UInt32(NextTransactionId);
        w.Count(Nodes.Count);
        foreach (var node in Nodes)
        {
            w.String(node.Path);
            w.Bytes(node.Value);
            w.Count(node.Permissions.Count);
            foreach (var permission in node.Permissions)
            {
                w.UInt16(permission.Domain.Value);
                w.Byte((byte)permission.Access);
            }

            w.Int64(node.Generation);
        }

        w.Count(Watches.Count);
        foreach (var watch in Watches)
        {
            w.UInt16(watch.Owner.Value);
            w.String(watch.Path);
            w.String(watch.Token);
            w.Bool(watch.Relative);
        }

        w.Count(PendingEvents.Count);
        foreach (var e in PendingEvents)
        {
            w.UInt16(e.Domain.Value);
            w.String(e.Path);
            w.String(e.Token);
        }

        w.Count(OpenTransactions.Count);
        foreach (var t in OpenTransactions)
        {
            w.UInt32(t.Id);
            w.UInt16(t.Owner.Value);
        }

        w.Count(IntroducedDomains.Count);
        foreach (var d in IntroducedDomains)
        {
            w.UInt16(d);
        }
    });

    /// <summary>Decodes a <c>store</c> section; <see cref="XenStore.Restore"/> checks what it means.</summary>
    public static XenStoreState FromSection(StateSection? section) => StateSections.Read(section, SectionName, CurrentVersion, r =>
    {
        long generation = r.Int64("generation");
        uint nextTransaction = r.UInt32("next transaction id");
        var nodes = new List<NodeRecord>();
        for (int i = r.Count("nodes", MaxNodes, 20); i > 0; i--)
        {
            string path = r.String("node path", MaxText);
            byte[] value = r.Bytes("node value", MaxText);
            var permissions = new List<StorePermission>();
            for (int p = r.Count("permissions", MaxPermissions, 3); p > 0; p--)
            {
                var domain = new DomId(r.UInt16("permission domain"));
                byte access = r.Byte("permission access");
                if (access > (byte)StoreAccess.Both)
                {
                    throw r.Invalid($"a permission access of 0 to 3, found {access}");
                }

                permissions.Add(new StorePermission(domain, (StoreAccess)access));
            }

            nodes.Add(new NodeRecord(path, value, permissions, r.Int64("node generation")));
        }

        var watches = new List<WatchRecord>();
        for (int i = r.Count("watches", MaxNodes, 11); i > 0; i--)
        {
            watches.Add(new WatchRecord(new DomId(r.UInt16("watch owner")), r.String("watch path", MaxText), r.String("watch token", MaxText), r.Bool("watch relative")));
        }

        var events = new List<EventRecord>();
        for (int i = r.Count("pending events", MaxNodes, 10); i > 0; i--)
        {
            events.Add(new EventRecord(new DomId(r.UInt16("event domain")), r.String("event path", MaxText), r.String("event token", MaxText)));
        }

        var transactions = new List<TransactionRecord>();
        for (int i = r.Count("transactions", MaxNodes, 6); i > 0; i--)
        {
            transactions.Add(new TransactionRecord(r.UInt32("transaction id"), new DomId(r.UInt16("transaction owner"))));
        }

        var introduced = new List<ushort>();
        for (int i = r.Count("introduced domains", 1 << 16, 2); i > 0; i--)
        {
            introduced.Add(r.UInt16("introduced domain"));
        }

        return new XenStoreState(CurrentVersion, generation, nextTransaction, nodes, watches, events, transactions, introduced);
    });
}
