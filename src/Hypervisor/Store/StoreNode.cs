using System.Collections.Immutable;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// An immutable node of the store tree. Changing a node copies it and its ancestors, so a
/// transaction's view is just the root it started from plus its own copies. The generation
/// is the store-wide change number at which the node's value, permissions or set of children
/// last changed; transactions compare generations to detect conflicts.
/// </summary>
public sealed record StoreNode(
    byte[] Value,
    ImmutableArray<StorePermission> Permissions,
    ImmutableSortedDictionary<string, StoreNode> Children,
    long Generation)
{
    public static readonly ImmutableSortedDictionary<string, StoreNode> NoChildren = ImmutableSortedDictionary.Create<string, StoreNode>(StringComparer.Ordinal);

    /// <summary>Counts this node and everything below it.</summary>
    public int CountSubtree()
    {
        int n = 1;
        foreach (var child in Children.Values)
        {
            n += child.CountSubtree();
        }

        return n;
    }
}
