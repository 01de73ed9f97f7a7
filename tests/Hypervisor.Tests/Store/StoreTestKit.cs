using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Hypervisor.Tests.Store;

/// <summary>Helpers shared by the store tests: domains, string reads and a store with a guest's home made by the toolstack.</summary>
internal static class StoreTestKit
{
    public static readonly DomId Dom0 = DomId.Dom0;
    public static readonly DomId Guest = new(1);
    public static readonly DomId Other = new(2);

    /// <summary>A store where the control domain made /local/domain/1 and /local/domain/2 owned by their domains, as xl does.</summary>
    public static XenStore WithGuests(StoreQuotas? quotas = null, IStoreEventSink? events = null)
    {
        var store = new XenStore(quotas, events);
        foreach (var d in new[] { Guest, Other })
        {
            string home = StorePath.DomainPath(d);
            Assert.Equal(StoreError.None, store.Mkdir(Dom0, 0, home));
            Assert.Equal(StoreError.None, store.SetPermissions(Dom0, 0, home, [new StorePermission(d, StoreAccess.None)]));
        }

        return store;
    }

    public static string ReadString(this XenStore store, DomId caller, string path, uint tx = 0)
    {
        var error = store.Read(caller, tx, path, out var value);
        Assert.Equal(StoreError.None, error);
        return Encoding.UTF8.GetString(value);
    }

    public static StoreError WriteString(this XenStore store, DomId caller, string path, string value, uint tx = 0) =>
        store.Write(caller, tx, path, Encoding.UTF8.GetBytes(value));

    public static List<WatchEvent> TakeAll(this XenStore store, DomId domain)
    {
        var events = new List<WatchEvent>();
        while (store.TryTakeEvent(domain, out var e))
        {
            events.Add(e);
        }

        return events;
    }
}

/// <summary>A store's event sink that writes down, in order, each domain it was told of.</summary>
internal sealed class QueuedStoreEvents : IStoreEventSink
{
    public List<DomId> Told { get; } = [];

    public void EventsQueued(DomId domain) => Told.Add(domain);

    /// <summary>True, and forgotten, when <paramref name="domain"/> was told of since the last call.</summary>
    public bool TakeFor(DomId domain) => Told.RemoveAll(d => d == domain) > 0;
}
