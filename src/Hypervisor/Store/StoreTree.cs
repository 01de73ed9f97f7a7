using System.Collections.Immutable;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>A change made to the tree, for firing watches: the path, the permissions that decide who may see it, and whether its subtree went away.</summary>
internal readonly record struct StoreChange(string Path, ImmutableArray<StorePermission> Permissions, bool Removed);

/// <summary>
/// One version of the node tree with the operations on it: the committed tree, or a
/// transaction's private copy. Paths given here are already resolved and well formed.
///
/// Invariants: every node's parent exists; the root "/" always exists; a node's first
/// permission entry is its owner and <see cref="_owned"/> counts every node by owner; an
/// unprivileged domain owns what it creates; the generation of a node changes exactly when
/// its value, permissions or set of children change.
/// </summary>
internal sealed class StoreTree
{
    private readonly Dictionary<DomId, int> _owned;
    private readonly StoreQuotas _quotas;
    private readonly Func<long> _nextGeneration;

    public StoreTree(StoreNode root, Dictionary<DomId, int> owned, StoreQuotas quotas, Func<long> nextGeneration)
    {
        Root = root;
        _owned = owned;
        _quotas = quotas;
        _nextGeneration = nextGeneration;
    }

    public StoreNode Root { get; private set; }

    public IReadOnlyDictionary<DomId, int> Owned => _owned;

    public StoreTree Clone() => new(Root, new Dictionary<DomId, int>(_owned), _quotas, _nextGeneration);

    /// <summary>Makes this tree the same version as <paramref name="other"/> (used to undo a failed replay).</summary>
    public void ResetTo(StoreTree other)
    {
        Root = other.Root;
        _owned.Clear();
        foreach (var (domain, count) in other._owned)
        {
            _owned[domain] = count;
        }
    }

    public StoreNode? Find(string path)
    {
        var node = Root;
        foreach (var name in StorePath.Components(path))
        {
            if (!node.Children.TryGetValue(name, out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    public StoreError Read(DomId caller, string path, out byte[] value)
    {
        value = [];
        var error = Readable(caller, path, out var node);
        if (error == StoreError.None)
        {
            value = node!.Value;
        }

        return error;
    }

    public StoreError Directory(DomId caller, string path, out IReadOnlyList<string> names)
    {
        names = [];
        var error = Readable(caller, path, out var node);
        if (error == StoreError.None)
        {
            names = node!.Children.Keys.ToList();
        }

        return error;
    }

    public StoreError GetPermissions(DomId caller, string path, out ImmutableArray<StorePermission> permissions)
    {
        permissions = [];
        var error = Readable(caller, path, out var node);
        if (error == StoreError.None)
        {
            permissions = node!.Permissions;
        }

        return error;
    }

    /// <summary>Writes a value, creating the node and any missing ancestors.</summary>
    public StoreError Write(DomId caller, string path, byte[] value, List<StoreChange> changes) => Create(caller, path, value, changes);

    /// <summary>Creates a node (and missing ancestors) with an empty value; an existing node is left as it is.</summary>
    public StoreError Mkdir(DomId caller, string path, List<StoreChange> changes) => Create(caller, path, null, changes);

    public StoreError Remove(DomId caller, string path, List<StoreChange> changes)
    {
        if (path == "/")
        {
            return StoreError.Invalid;
        }

        var node = Find(path);
        if (node is null)
        {
            return Find(StorePath.Parent(path)) is null ? StoreError.NoEntry : StoreError.None;
        }

        if ((StorePermission.AccessFor(caller, node.Permissions) & StoreAccess.Write) == 0)
        {
            return StoreError.AccessDenied;
        }

        string parentPath = StorePath.Parent(path);
        var parent = Find(parentPath)!;
        string name = path[(path.LastIndexOf('/') + 1)..];
        Uncount(node);
        Replace(parentPath, parent with { Children = parent.Children.Remove(name), Generation = _nextGeneration() });
        changes.Add(new StoreChange(path, node.Permissions, Removed: true));
        return StoreError.None;
    }

    public StoreError SetPermissions(DomId caller, string path, ImmutableArray<StorePermission> permissions, List<StoreChange> changes)
    {
        if (permissions.IsDefaultOrEmpty)
        {
            return StoreError.Invalid;
        }

        var node = Find(path);
        if (node is null)
        {
            return StoreError.NoEntry;
        }

        var owner = node.Permissions[0].Domain;
        if (caller != DomId.Dom0 && caller != owner)
        {
            return StoreError.AccessDenied;
        }

        if (caller != DomId.Dom0 && permissions[0].Domain != owner)
        {
            return StoreError.NotPermitted;
        }

        var newOwner = permissions[0].Domain;
        if (newOwner != owner)
        {
            if (!HasRoomFor(newOwner, 1))
            {
                return StoreError.NoSpace;
            }

            Count(owner, -1);
            Count(newOwner, 1);
        }

        Replace(path, node with { Permissions = permissions, Generation = _nextGeneration() });
        changes.Add(new StoreChange(path, permissions, Removed: false));
        return StoreError.None;
    }

    private StoreError Readable(DomId caller, string path, out StoreNode? node)
    {
        node = Find(path);
        if (node is null)
        {
            return StoreError.NoEntry;
        }

        return (StorePermission.AccessFor(caller, node.Permissions) & StoreAccess.Read) == 0 ? StoreError.AccessDenied : StoreError.None;
    }

    private StoreError Create(DomId caller, string path, byte[]? value, List<StoreChange> changes)
    {
        if (value is not null && caller != DomId.Dom0 && value.Length > _quotas.MaxValueBytes)
        {
            return StoreError.NoSpace;
        }

        var existing = Find(path);
        if (existing is not null)
        {
            if ((StorePermission.AccessFor(caller, existing.Permissions) & StoreAccess.Write) == 0)
            {
                return StoreError.AccessDenied;
            }

            if (value is not null)
            {
                Replace(path, existing with { Value = value, Generation = _nextGeneration() });
                changes.Add(new StoreChange(path, existing.Permissions, Removed: false));
            }

            return StoreError.None;
        }

        var components = StorePath.Components(path);
        var ancestor = Root;
        int depth = 0;
        while (ancestor.Children.TryGetValue(components[depth], out var child))
        {
            ancestor = child;
            depth++;
        }

        if ((StorePermission.AccessFor(caller, ancestor.Permissions) & StoreAccess.Write) == 0)
        {
            return StoreError.AccessDenied;
        }

        var permissions = ancestor.Permissions;
        if (caller != DomId.Dom0)
        {
            permissions = permissions.SetItem(0, permissions[0] with { Domain = caller });
        }

        int created = components.Length - depth;
        if (!HasRoomFor(permissions[0].Domain, created))
        {
            return StoreError.NoSpace;
        }

        long generation = _nextGeneration();
        var subtree = new StoreNode(value ?? [], permissions, StoreNode.NoChildren, generation);
        for (int i = components.Length - 1; i > depth; i--)
        {
            subtree = new StoreNode([], permissions, StoreNode.NoChildren.Add(components[i], subtree), generation);
        }

        string ancestorPath = depth == 0 ? "/" : "/" + string.Join('/', components, 0, depth);
        Replace(ancestorPath, ancestor with { Children = ancestor.Children.Add(components[depth], subtree), Generation = generation });
        Count(permissions[0].Domain, created);
        changes.Add(new StoreChange(path, permissions, Removed: false));
        return StoreError.None;
    }

    private bool HasRoomFor(DomId owner, int nodes) =>
        owner == DomId.Dom0 || _owned.GetValueOrDefault(owner) + nodes <= _quotas.MaxNodesPerDomain;

    private void Count(DomId owner, int delta)
    {
        int now = _owned.GetValueOrDefault(owner) + delta;
        if (now == 0)
        {
            _owned.Remove(owner);
        }
        else
        {
            _owned[owner] = now;
        }
    }

    private void Uncount(StoreNode node)
    {
        Count(node.Permissions[0].Domain, -1);
        foreach (var child in node.Children.Values)
        {
            Uncount(child);
        }
    }

    /// <summary>Puts <paramref name="replacement"/> at <paramref name="path"/>, copying the ancestors (whose generations stay).</summary>
    private void Replace(string path, StoreNode replacement)
    {
        Root = ReplaceBelow(Root, StorePath.Components(path), 0, replacement);
    }

    private static StoreNode ReplaceBelow(StoreNode node, string[] components, int index, StoreNode replacement) =>
        index == components.Length
            ? replacement
            : node with { Children = node.Children.SetItem(components[index], ReplaceBelow(node.Children[components[index]], components, index + 1, replacement)) };
}
