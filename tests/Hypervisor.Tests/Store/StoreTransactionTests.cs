using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

public class StoreTransactionTests
{
    [Fact]
    public void Changes_in_a_transaction_are_invisible_outside_until_commit()
    {
        var store = WithGuests();
        store.StartTransaction(Guest, out uint tx);

        store.WriteString(Guest, "state", "4", tx);

        Assert.Equal("4", store.ReadString(Guest, "state", tx));
        Assert.Equal(StoreError.NoEntry, store.Read(Guest, 0, "state", out _));
        Assert.Equal(StoreError.None, store.EndTransaction(Guest, tx, commit: true));
        Assert.Equal("4", store.ReadString(Guest, "state"));
    }

    [Fact]
    public void An_aborted_transaction_leaves_nothing()
    {
        var store = WithGuests();
        store.StartTransaction(Guest, out uint tx);
        store.WriteString(Guest, "state", "4", tx);
        store.Remove(Guest, tx, "/local/domain/1");

        Assert.Equal(StoreError.None, store.EndTransaction(Guest, tx, commit: false));

        Assert.Equal(StoreError.NoEntry, store.Read(Guest, 0, "state", out _));
        Assert.Equal(StoreError.None, store.Read(Guest, 0, "/local/domain/1", out _));
        Assert.Equal(0, store.OpenTransactions);
    }

    [Fact]
    public void A_node_read_in_the_transaction_and_changed_outside_makes_commit_EAGAIN()
    {
        var store = WithGuests();
        store.WriteString(Guest, "counter", "1");
        store.StartTransaction(Guest, out uint tx);
        Assert.Equal("1", store.ReadString(Guest, "counter", tx));
        store.WriteString(Guest, "other", "x", tx);

        store.WriteString(Guest, "counter", "2");

        Assert.Equal(StoreError.Again, store.EndTransaction(Guest, tx, commit: true));
        Assert.Equal(StoreError.NoEntry, store.Read(Guest, 0, "other", out _));
    }

    [Fact]
    public void A_node_written_in_the_transaction_and_created_outside_makes_commit_EAGAIN()
    {
        var store = WithGuests();
        store.StartTransaction(Guest, out uint tx);
        store.WriteString(Guest, "fresh", "mine", tx);

        store.WriteString(Guest, "fresh", "theirs");

        Assert.Equal(StoreError.Again, store.EndTransaction(Guest, tx, commit: true));
        Assert.Equal("theirs", store.ReadString(Guest, "fresh"));
    }

    [Fact]
    public void Unrelated_changes_outside_do_not_conflict_and_survive_the_commit()
    {
        var store = WithGuests();
        store.WriteString(Guest, "a", "0");
        store.StartTransaction(Guest, out uint tx);
        store.WriteString(Guest, "a", "1", tx);

        store.WriteString(Other, "b", "2");

        Assert.Equal(StoreError.None, store.EndTransaction(Guest, tx, commit: true));
        Assert.Equal("1", store.ReadString(Guest, "a"));
        Assert.Equal("2", store.ReadString(Other, "b"));
    }

    [Fact]
    public void A_transaction_id_is_only_valid_for_its_domain()
    {
        var store = WithGuests();
        store.StartTransaction(Guest, out uint tx);

        Assert.Equal(StoreError.NoEntry, store.Read(Other, tx, "/local/domain/2", out _));
        Assert.Equal(StoreError.NoEntry, store.EndTransaction(Other, tx, commit: true));
        Assert.Equal(StoreError.NoEntry, store.EndTransaction(Guest, tx + 100, commit: true));
    }

    [Fact]
    public void A_domain_may_hold_only_so_many_open_transactions()
    {
        var store = WithGuests(new StoreQuotas(MaxTransactionsPerDomain: 2));
        store.StartTransaction(Guest, out _);
        store.StartTransaction(Guest, out uint second);

        Assert.Equal(StoreError.NoSpace, store.StartTransaction(Guest, out _));
        store.EndTransaction(Guest, second, commit: false);
        Assert.Equal(StoreError.None, store.StartTransaction(Guest, out _));
    }

    [Fact]
    public void Watches_fire_at_commit_not_at_the_write_inside()
    {
        var store = WithGuests();
        store.Watch(Other, "/local/domain/1", "tok");
        store.TakeAll(Other);
        store.SetPermissions(Dom0, 0, "/local/domain/1", [new StorePermission(Guest, StoreAccess.Read)]);
        store.TakeAll(Other);
        store.StartTransaction(Guest, out uint tx);

        store.WriteString(Guest, "state", "3", tx);
        Assert.Empty(store.TakeAll(Other));

        store.EndTransaction(Guest, tx, commit: true);
        Assert.Equal([new WatchEvent("/local/domain/1/state", "tok")], store.TakeAll(Other));
    }

    [Fact]
    public void A_commit_is_all_or_nothing()
    {
        var store = WithGuests(new StoreQuotas(MaxNodesPerDomain: 4));
        store.StartTransaction(Guest, out uint tx);
        Assert.Equal(StoreError.None, store.WriteString(Guest, "x1", "1", tx));
        Assert.Equal(StoreError.None, store.WriteString(Guest, "x2", "2", tx));
        store.WriteString(Guest, "y1", "outside");
        store.WriteString(Guest, "y2", "outside");

        var result = store.EndTransaction(Guest, tx, commit: true);

        Assert.NotEqual(StoreError.None, result);
        Assert.Equal(StoreError.NoEntry, store.Read(Guest, 0, "x1", out _));
        Assert.Equal(StoreError.NoEntry, store.Read(Guest, 0, "x2", out _));
    }
}
