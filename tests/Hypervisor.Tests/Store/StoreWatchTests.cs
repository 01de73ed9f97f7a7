using ActorVisor.Hypervisor.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

public class StoreWatchTests
{
    [Fact]
    public void A_new_watch_fires_once_at_once()
    {
        var store = WithGuests();

        Assert.Equal(StoreError.None, store.Watch(Guest, "control/shutdown", "sd"));

        Assert.Equal([new WatchEvent("control/shutdown", "sd")], store.TakeAll(Guest));
    }

    [Fact]
    public void The_event_sink_hears_of_each_queued_event_for_its_domain_only()
    {
        var events = new QueuedStoreEvents();
        var store = WithGuests(events: events);
        store.Watch(Guest, "data", "d");
        store.Watch(Other, "/local/domain/2/data", "o");
        Assert.Equal([Guest, Other], events.Told);
        events.Told.Clear();

        store.WriteString(Guest, "data/x", "1");
        store.WriteString(Guest, "name", "not watched");

        Assert.Equal([Guest], events.Told);
    }

    [Fact]
    public void A_watch_fires_for_its_node_and_everything_below_but_not_siblings()
    {
        var store = WithGuests();
        store.Watch(Guest, "/local/domain/1/device", "dev");
        store.TakeAll(Guest);

        store.WriteString(Guest, "device", "");
        store.WriteString(Guest, "device/vbd/768/state", "1");
        store.WriteString(Guest, "devices", "not below");

        Assert.Equal(
            [new WatchEvent("/local/domain/1/device", "dev"), new WatchEvent("/local/domain/1/device/vbd/768/state", "dev")],
            store.TakeAll(Guest));
    }

    [Fact]
    public void A_relative_watch_reports_relative_paths()
    {
        var store = WithGuests();
        store.Watch(Guest, "control", "c");
        store.TakeAll(Guest);

        store.WriteString(Dom0, "/local/domain/1/control/shutdown", "poweroff");

        Assert.Equal([new WatchEvent("control/shutdown", "c")], store.TakeAll(Guest));
    }

    [Fact]
    public void Removing_a_node_fires_the_watches_below_it_with_their_own_path()
    {
        var store = WithGuests();
        store.WriteString(Guest, "fe/state", "4");
        store.Watch(Guest, "/local/domain/1/fe/state", "st");
        store.Watch(Guest, "/local/domain/1", "home");
        store.TakeAll(Guest);

        store.Remove(Guest, 0, "fe");

        var events = store.TakeAll(Guest);
        Assert.Contains(new WatchEvent("/local/domain/1/fe/state", "st"), events);
        Assert.Contains(new WatchEvent("/local/domain/1/fe", "home"), events);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void A_watcher_does_not_hear_of_changes_to_nodes_it_cannot_read()
    {
        var store = WithGuests();
        store.Watch(Other, "/local/domain/1", "spy");
        store.TakeAll(Other);

        store.WriteString(Guest, "private", "p");

        Assert.Empty(store.TakeAll(Other));
    }

    [Fact]
    public void The_same_watch_twice_is_EEXIST_and_unwatch_stops_it()
    {
        var store = WithGuests();
        store.Watch(Guest, "x", "t");

        Assert.Equal(StoreError.Exists, store.Watch(Guest, "x", "t"));
        Assert.Equal(StoreError.None, store.Watch(Guest, "x", "t2"));
        Assert.Equal(StoreError.None, store.Unwatch(Guest, "x", "t"));
        Assert.Equal(StoreError.NoEntry, store.Unwatch(Guest, "x", "t"));
        store.TakeAll(Guest);
        store.WriteString(Guest, "x", "1");
        Assert.Equal([new WatchEvent("x", "t2")], store.TakeAll(Guest));
    }

    [Fact]
    public void A_domain_may_hold_only_so_many_watches()
    {
        var store = WithGuests(new StoreQuotas(MaxWatchesPerDomain: 2));
        store.Watch(Guest, "a", "1");
        store.Watch(Guest, "b", "1");

        Assert.Equal(StoreError.TooBig, store.Watch(Guest, "c", "1"));
    }

    [Fact]
    public void Introduce_and_release_fire_the_special_watches_and_release_drops_the_domains_state()
    {
        var store = WithGuests();
        store.Watch(Dom0, "@introduceDomain", "in");
        store.Watch(Dom0, "@releaseDomain", "out");
        store.TakeAll(Dom0);
        store.Watch(Guest, "x", "t");
        store.StartTransaction(Guest, out _);

        Assert.Equal(StoreError.None, store.IntroduceDomain(Dom0, Guest));
        Assert.True(store.IsIntroduced(Guest));
        Assert.Equal([new WatchEvent("@introduceDomain", "in")], store.TakeAll(Dom0));

        Assert.Equal(StoreError.None, store.ReleaseDomain(Dom0, Guest));
        Assert.Equal([new WatchEvent("@releaseDomain", "out")], store.TakeAll(Dom0));
        Assert.Equal(0, store.OpenTransactions);
        Assert.Equal(0, store.PendingEvents(Guest));
        Assert.Equal(2, store.WatchCount);
    }

    [Fact]
    public void Only_the_control_domain_introduces_and_releases()
    {
        var store = WithGuests();

        Assert.Equal(StoreError.AccessDenied, store.IntroduceDomain(Guest, Other));
        Assert.Equal(StoreError.AccessDenied, store.ReleaseDomain(Guest, Guest));
        Assert.Equal(StoreError.NoEntry, store.ReleaseDomain(Dom0, Other));
    }

    [Fact]
    public void Undelivered_events_are_bounded_per_domain()
    {
        var store = WithGuests(new StoreQuotas(MaxPendingEventsPerDomain: 3));
        store.Watch(Guest, "n", "t");

        for (int i = 0; i < 10; i++)
        {
            store.WriteString(Guest, "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(3, store.PendingEvents(Guest));
    }
}
