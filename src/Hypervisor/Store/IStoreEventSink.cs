using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Who hears that the store queued a watch event for a domain, given to <see cref="XenStore"/> at
/// construction: the host then services that domain's connection, which takes the event. It is
/// called inside the store operation that queued the event, on the caller's thread and under the
/// caller's locks; an implementation that services the connection at once relies on
/// <see cref="StoreConnection.Service"/> refusing to re-enter, the others note the domain and
/// service it later.
/// </summary>
public interface IStoreEventSink
{
    /// <summary>A watch event is waiting in <paramref name="domain"/>'s queue.</summary>
    void EventsQueued(DomId domain);
}
