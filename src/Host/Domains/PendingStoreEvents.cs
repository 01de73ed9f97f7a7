using System.Collections.Concurrent;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The host's <see cref="IStoreEventSink"/>: notes which domains have watch events waiting, from
/// whichever thread ran the store operation, so that their connections are serviced later where
/// each domain may be touched (inside its <see cref="LiveDomain.Exclusive"/>, or after its slice).
/// </summary>
public sealed class PendingStoreEvents : IStoreEventSink
{
    private readonly ConcurrentDictionary<DomId, bool> _domains = new();

    /// <summary>True when no domain has events waiting to be serviced.</summary>
    public bool IsEmpty => _domains.IsEmpty;

    public void EventsQueued(DomId domain) => _domains[domain] = true;

    /// <summary>The domains noted so far, forgotten as they are returned.</summary>
    public IReadOnlyList<DomId> TakeAll()
    {
        var taken = new List<DomId>();
        foreach (var domain in _domains.Keys)
        {
            if (_domains.TryRemove(domain, out _))
            {
                taken.Add(domain);
            }
        }

        return taken;
    }
}
