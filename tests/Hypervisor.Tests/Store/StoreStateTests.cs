using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

public class StoreStateTests
{
    [Fact]
    public void A_restored_store_has_the_same_nodes_permissions_and_watches()
    {
        var store = WithGuests();
        store.WriteString(Guest, "device/vbd/768/state", "4");
        store.Write(Guest, 0, "bin", [0, 1, 2]);
        store.Watch(Guest, "device", "dev");
        store.IntroduceDomain(Dom0, Guest);
        store.TakeAll(Guest);

        var restored = XenStore.Restore(store.Capture(), null);

        Assert.Equal("4", restored.ReadString(Guest, "device/vbd/768/state"));
        Assert.Equal(StoreError.AccessDenied, restored.Read(Other, 0, "/local/domain/1/bin", out _));
        Assert.True(restored.IsIntroduced(Guest));
        Assert.Equal(store.NodesOwned[Guest], restored.NodesOwned[Guest]);
        restored.WriteString(Guest, "device/vbd/768/state", "5");
        Assert.Equal([new WatchEvent("device/vbd/768/state", "dev")], restored.TakeAll(Guest));
    }

    [Fact]
    public void Capture_of_a_restored_store_equals_the_original_capture()
    {
        var store = WithGuests();
        store.WriteString(Guest, "a/b", "1");
        store.Watch(Other, "x", "y");
        var first = store.Capture();

        var second = XenStore.Restore(first, null).Capture();

        Assert.Equal(first.Nodes.Select(n => (n.Path, Convert.ToHexString(n.Value), string.Join(',', n.Permissions), n.Generation)),
            second.Nodes.Select(n => (n.Path, Convert.ToHexString(n.Value), string.Join(',', n.Permissions), n.Generation)));
        Assert.Equal(first.Watches, second.Watches);
        Assert.Equal(first.PendingEvents, second.PendingEvents);
        Assert.Equal(first.Generation, second.Generation);
    }

    [Fact]
    public void A_transaction_open_at_capture_commits_with_EAGAIN_after_restore()
    {
        var store = WithGuests();
        store.StartTransaction(Guest, out uint tx);
        store.WriteString(Guest, "x", "1", tx);

        var restored = XenStore.Restore(store.Capture(), null);

        Assert.Equal(StoreError.Again, restored.EndTransaction(Guest, tx, commit: true));
        Assert.Equal(StoreError.None, restored.StartTransaction(Guest, out uint fresh));
        Assert.NotEqual(tx, fresh);
    }

    [Fact]
    public void State_of_another_version_or_with_orphans_is_refused()
    {
        var state = WithGuests().Capture();

        Assert.Contains("version", Assert.Throws<SnapshotFormatException>(() => XenStore.Restore(state with { Version = 99 }, null)).Message, StringComparison.Ordinal);
        var orphan = new XenStoreState.NodeRecord("/no/parent", [], state.Nodes[0].Permissions, 1);
        Assert.Contains("parent", Assert.Throws<SnapshotFormatException>(() => XenStore.Restore(state with { Nodes = [.. state.Nodes, orphan] }, null)).Message, StringComparison.Ordinal);
        var bad = new XenStoreState.NodeRecord("/a//b", [], state.Nodes[0].Permissions, 1);
        Assert.Contains("malformed", Assert.Throws<SnapshotFormatException>(() => XenStore.Restore(state with { Nodes = [.. state.Nodes, bad] }, null)).Message, StringComparison.Ordinal);
    }
}
