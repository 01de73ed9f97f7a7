using System.Collections.Immutable;
using ActorVisor.Abi;

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

    /// <summary>Rebuilds a store from captured state, or returns null with the reason if the state is not one this version wrote.</summary>
    public static XenStore? TryRestore(XenStoreState state, StoreQuotas? quotas, out string error) => TryRestore(state, quotas, null, out error);

    /// <summary>Rebuilds a store from captured state, telling <paramref name="events"/> of the watch events queued from then on; null with the reason if the state is not one this version wrote.</summary>
    public static XenStore? TryRestore(XenStoreState state, StoreQuotas? quotas, IStoreEventSink? events, out string error)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Version != XenStoreState.CurrentVersion)
        {
            error = $"store state version {state.Version} is not {XenStoreState.CurrentVersion}";
            return null;
        }

        if (state.Nodes.Count == 0 || state.Nodes[0].Path != "/" || state.Nodes.Any(n => n.Permissions.Count == 0))
        {
            error = "store state has no root node first, or a node without permissions";
            return null;
        }

        var store = new XenStore(quotas, events);
        var root = Rebuild(state.Nodes[0], state.Nodes.Skip(1).ToList(), out error);
        if (root is null)
        {
            return null;
        }

        store._tree.ResetTo(new StoreTree(root, CountOwners(root), store.Quotas, store.NextGeneration));
        store._generation = state.Generation;
        store._nextTransactionId = state.NextTransactionId;
        foreach (var w in state.Watches)
        {
            if (!StorePath.TryResolveWatch(w.Owner, w.Path, out _))
            {
                error = $"watch path '{w.Path}' is malformed";
                return null;
            }

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

        error = "";
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

    private static StoreNode? Rebuild(XenStoreState.NodeRecord rootRecord, List<XenStoreState.NodeRecord> rest, out string error)
    {
        var byParent = new Dictionary<string, List<XenStoreState.NodeRecord>>(StringComparer.Ordinal);
        foreach (var record in rest)
        {
            if (!StorePath.TryResolve(DomId.Dom0, record.Path, out var absolute) || absolute != record.Path || record.Path == "/")
            {
                error = $"node path '{record.Path}' is malformed";
                return null;
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
            error = "store state has nodes whose parent is missing (or duplicated nodes)";
            return null;
        }

        error = "";
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
