using System.Collections.Immutable;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// XenStore as a pure, deterministic model: the node tree with permissions, transactions,
/// watches and the domains the control domain introduced. Every operation names its caller's
/// domain (relative paths are under that domain's home) and, optionally, a transaction id
/// (0 for none); every outcome is a <see cref="StoreError"/>, never an exception.
///
/// Invariants: the committed tree changes only through an operation outside a transaction or
/// a successful commit; a transaction sees the tree as it was when it started plus its own
/// changes; watch events are queued only for committed changes, and only to watchers allowed to
/// read the node that changed.
/// </summary>
public sealed partial class XenStore
{
    private readonly StoreTree _tree;
    private readonly IStoreEventSink? _events;
    private long _generation;

    /// <param name="quotas">Per-domain limits, or the defaults.</param>
    /// <param name="events">Told whenever a watch event is queued for a domain, or null when no one services connections (a store used as a plain model).</param>
    public XenStore(StoreQuotas? quotas = null, IStoreEventSink? events = null)
    {
        _events = events;
        Quotas = quotas ?? new StoreQuotas();
        var rootPermissions = ImmutableArray.Create(new StorePermission(DomId.Dom0, StoreAccess.None));
        var root = new StoreNode([], rootPermissions, StoreNode.NoChildren, 0);
        _tree = new StoreTree(root, new Dictionary<DomId, int> { [DomId.Dom0] = 1 }, Quotas, NextGeneration);
        _tree.Mkdir(DomId.Dom0, "/local/domain", []);
        _tree.Mkdir(DomId.Dom0, "/tool", []);
    }

    public StoreQuotas Quotas { get; }

    /// <summary>How many nodes each domain owns in the committed tree.</summary>
    public IReadOnlyDictionary<DomId, int> NodesOwned => _tree.Owned;

    public StoreError Read(DomId caller, uint transaction, string path, out byte[] value)
    {
        value = [];
        var error = Begin(caller, transaction, path, out var tree, out var absolute);
        return error != StoreError.None ? error : tree.Read(caller, absolute, out value);
    }

    public StoreError Directory(DomId caller, uint transaction, string path, out IReadOnlyList<string> names)
    {
        names = [];
        var error = Begin(caller, transaction, path, out var tree, out var absolute);
        return error != StoreError.None ? error : tree.Directory(caller, absolute, out names);
    }

    public StoreError GetPermissions(DomId caller, uint transaction, string path, out ImmutableArray<StorePermission> permissions)
    {
        permissions = [];
        var error = Begin(caller, transaction, path, out var tree, out var absolute);
        return error != StoreError.None ? error : tree.GetPermissions(caller, absolute, out permissions);
    }

    public StoreError Write(DomId caller, uint transaction, string path, ReadOnlySpan<byte> value)
    {
        var bytes = value.ToArray();
        return Change(caller, transaction, path, (tree, absolute, changes) => tree.Write(caller, absolute, bytes, changes));
    }

    public StoreError Mkdir(DomId caller, uint transaction, string path) =>
        Change(caller, transaction, path, (tree, absolute, changes) => tree.Mkdir(caller, absolute, changes));

    public StoreError Remove(DomId caller, uint transaction, string path) =>
        Change(caller, transaction, path, (tree, absolute, changes) => tree.Remove(caller, absolute, changes));

    public StoreError SetPermissions(DomId caller, uint transaction, string path, IReadOnlyList<StorePermission> permissions)
    {
        var list = permissions.ToImmutableArray();
        return Change(caller, transaction, path, (tree, absolute, changes) => tree.SetPermissions(caller, absolute, list, changes));
    }

    /// <summary>Reads a committed value as the control domain does, for the host's own use (null if absent).</summary>
    public byte[]? Peek(string absolutePath) => _tree.Find(absolutePath)?.Value;

    private long NextGeneration() => ++_generation;

    /// <summary>Resolves the path and the tree an operation works on: the committed one or its transaction's.</summary>
    private StoreError Begin(DomId caller, uint transaction, string path, out StoreTree tree, out string absolute)
    {
        tree = _tree;
        if (!StorePath.TryResolve(caller, path, out absolute))
        {
            return StoreError.Invalid;
        }

        if (transaction == 0)
        {
            return StoreError.None;
        }

        if (!_transactions.TryGetValue(transaction, out var t) || t.Owner != caller)
        {
            return StoreError.NoEntry;
        }

        tree = t.Tree;
        t.Observe(absolute);
        return StoreError.None;
    }

    private delegate StoreError TreeOperation(StoreTree tree, string absolute, List<StoreChange> changes);

    private StoreError Change(DomId caller, uint transaction, string path, TreeOperation operation)
    {
        var error = Begin(caller, transaction, path, out var tree, out var absolute);
        if (error != StoreError.None)
        {
            return error;
        }

        var changes = new List<StoreChange>();
        if (transaction == 0)
        {
            error = operation(tree, absolute, changes);
            FireWatches(changes);
            return error;
        }

        var t = _transactions[transaction];
        t.ObserveAncestors(absolute);
        error = operation(tree, absolute, changes);
        if (error == StoreError.None && changes.Count > 0)
        {
            t.Log.Add((committed, committedChanges) => operation(committed, absolute, committedChanges));
        }

        changes.Clear();
        return error;
    }
}
