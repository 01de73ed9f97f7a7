using System.Collections.Immutable;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Snapshots;

namespace ActorVisor.Hypervisor.Store;

/// <summary>Capture and restore of the whole store (for save/restore and migration of the control domain's state).</summary>
public sealed partial class XenStore
{
    public XenStoreState Capture()
    {
        var nodes = new List<XenStoreState.NodeRecord>();
        CaptureBelow("/", _tree.Root, nodes);
        return new XenStoreState(
            XenStoreState.CurrentVersion,
            _generation,
            _nextTransactionId,
            nodes,
            _watches.Select(w => new XenStoreState.WatchRecord(w.Owner, w.Path, w.Token, w.Relative)).ToList(),
            _pending.OrderBy(kv => kv.Key.Value).SelectMany(kv => kv.Value.Select(e => new XenStoreState.EventRecord(kv.Key, e.Path, e.Token))).ToList(),
            _transactions.OrderBy(kv => kv.Key).Select(kv => new XenStoreState.TransactionRecord(kv.Key, kv.Value.Owner)).ToList(),
            _introduced.ToList());
    }

    /// <summary>Rebuilds a store from captured state; a state this version did not write, or an inconsistent one, is refused with <see cref="SnapshotFormatException"/>.</summary>
    public static XenStore Restore(XenStoreState state, StoreQuotas? quotas, IStoreEventSink? events = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Version != XenStoreState.CurrentVersion)
        {
            throw new SnapshotFormatException($"store state version {state.Version} is not {XenStoreState.CurrentVersion}");
        }

        if (state.Nodes.Count == 0 || state.Nodes[0].Path != "/" || state.Nodes.Any(n => n.Permissions.Count == 0))
        {
            throw new SnapshotFormatException("store state has no root node first, or a node without permissions");
        }

        var root = Rebuild(state.Nodes[0], state.Nodes.Skip(1).ToList());
        foreach (var w in state.Watches)
        {
            if (!StorePath.TryResolveWatch(w.Owner, w.Path, out _))
            {
                throw new SnapshotFormatException($"store state: watch path '{w.Path}' is malformed");
            }
        }

        var store = new XenStore(quotas, events);
        store._tree.ResetTo(new StoreTree(root, CountOwners(root), store.Quotas, store.NextGeneration));
        store._generation = state.Generation;
        store._nextTransactionId = state.NextTransactionId;
        foreach (var w in state.Watches)
        {
            store._watches.Add(new RegisteredWatch(w.Owner, w.Path, w.Token, w.Relative));
        }

        foreach (var e in state.PendingEvents)
        {
            store.Queue(e.Domain, new WatchEvent(e.Path, e.Token));
        }

        foreach (var t in state.OpenTransactions)
        {
            store._transactions[t.Id] = new Transaction(t.Owner, store._tree.Clone(), doomed: true);
        }

        foreach (var d in state.IntroducedDomains)
        {
            store._introduced.Add(d);
        }

        return store;
    }

    private static void CaptureBelow(string path, StoreNode node, List<XenStoreState.NodeRecord> nodes)
    {
        nodes.Add(new XenStoreState.NodeRecord(path, node.Value, node.Permissions, node.Generation));
        foreach (var (name, child) in node.Children)
        {
            CaptureBelow(path == "/" ? "/" + name : path + "/" + name, child, nodes);
        }
    }

    private static StoreNode Rebuild(XenStoreState.NodeRecord rootRecord, List<XenStoreState.NodeRecord> rest)
    {
        var byParent = new Dictionary<string, List<XenStoreState.NodeRecord>>(StringComparer.Ordinal);
        foreach (var record in rest)
        {
            if (!StorePath.TryResolve(DomId.Dom0, record.Path, out var absolute) || absolute != record.Path || record.Path == "/")
            {
                throw new SnapshotFormatException($"store state: node path '{record.Path}' is malformed");
            }

            string parent = StorePath.Parent(record.Path);
            if (!byParent.TryGetValue(parent, out var list))
            {
                byParent[parent] = list = [];
            }

            list.Add(record);
        }

        int placed = 0;
        var root = Build(rootRecord, byParent, ref placed);
        if (placed != rest.Count)
        {
            throw new SnapshotFormatException("store state has nodes whose parent is missing (or duplicated nodes)");
        }

        return root;
    }

    private static StoreNode Build(XenStoreState.NodeRecord record, Dictionary<string, List<XenStoreState.NodeRecord>> byParent, ref int placed)
    {
        var children = StoreNode.NoChildren;
        if (byParent.TryGetValue(record.Path, out var list))
        {
            foreach (var child in list)
            {
                string name = child.Path[(child.Path.LastIndexOf('/') + 1)..];
                if (children.ContainsKey(name))
                {
                    continue;
                }

                placed++;
                children = children.Add(name, Build(child, byParent, ref placed));
            }
        }

        return new StoreNode(record.Value.ToArray(), record.Permissions.ToImmutableArray(), children, record.Generation);
    }

    private static Dictionary<DomId, int> CountOwners(StoreNode root)
    {
        var counts = new Dictionary<DomId, int>();
        var stack = new Stack<StoreNode>();
        stack.Push(root);
        while (stack.TryPop(out var node))
        {
            counts[node.Permissions[0].Domain] = counts.GetValueOrDefault(node.Permissions[0].Domain) + 1;
            foreach (var child in node.Children.Values)
            {
                stack.Push(child);
            }
        }

        return counts;
    }
}
