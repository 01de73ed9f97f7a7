using System.Collections.Concurrent;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Store;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>
/// XenStore for the host's domains, with the hypervisor acting as the control domain's toolstack:
/// one store for all domains; each domain gets its directory (<see cref="StoreToolstack"/>) and a <see cref="StoreBackend"/> on its store ring, serviced on
/// the thread of the slice that notified it. Watch events for other domains are delivered by this
/// actor, inside the target domain's <see cref="LiveDomain.Exclusive"/>, so a ring is never
/// written while another thread runs that domain. Every store access holds one lock: the store is a
/// pure model shared by all physical CPUs.
/// </summary>
public sealed partial class HypervisorActor
{
    private readonly PendingStoreEvents _storeEventsPending = new();
    private readonly XenStore _store;
    private readonly Lock _storeLock = new();
    private readonly ConcurrentDictionary<int, StoreBackend> _storeBackends = new();
    private int _storeDeliveryPosted;

    /// <summary>The host's XenStore; read it only while no domain runs (tests, summaries).</summary>
    public XenStore Store => _store;

    /// <summary>Creates the domain's store directory and connects its store ring (before it first runs).</summary>
    private void ConnectToStore(string name, int id, LiveDomain live)
    {
        lock (_storeLock)
        {
            StoreToolstack.Introduce(_store, id, name, live.Domain.Vcpus.Count);
            _storeBackends[id] = new StoreBackend(_store, live.Domain);
        }

        StoreToolstack.RouteStoreNotifications(_seam.Ports, live.Domain, _storeBackends[id].Port, () => ServiceStore(id));
        PostStoreDelivery();
    }

    /// <summary>Serves the domain's store ring; runs on the thread that runs (or excludes) the domain.</summary>
    private void ServiceStore(int id)
    {
        lock (_storeLock)
        {
            if (_storeBackends.TryGetValue(id, out var backend))
            {
                backend.Service();
            }
        }

        PostStoreDelivery();
    }

    /// <summary>Asks this actor to deliver queued watch events, once, from whichever thread noticed them (through <c>_self</c>: Akka's <c>Self</c> is the reference of the actor whose message is running, which on a vCPU's slice is the vCPU).</summary>
    private void PostStoreDelivery()
    {
        if (_storeEventsPending.IsEmpty || Interlocked.Exchange(ref _storeDeliveryPosted, 1) == 1)
        {
            return;
        }

        if (_options.Cpus is { } cpus)
        {
            cpus.Post(_self, DeliverStoreEvents.Instance, ActorRefs.NoSender);
        }
        else
        {
            _self.Tell(DeliverStoreEvents.Instance, ActorRefs.NoSender);
        }
    }

    private void OnDeliverStoreEvents()
    {
        Volatile.Write(ref _storeDeliveryPosted, 0);
        foreach (var dom in _storeEventsPending.TakeAll())
        {
            if (_liveById.TryGetValue(dom.Value, out var live))
            {
                live.Exclusive(() => ServiceStore(dom.Value));
            }
            else
            {
                DeliverToIopm(dom);
            }
        }
    }

    private void OnRequestShutdown(RequestShutdown request)
    {
        var record = Find(request.Domain);
        if (record?.Live is null || !DomainLifecycle.IsLive(record.State))
        {
            Sender.Tell(new NotAllowed(Refusal(request, request.Domain, record)), Self);
            return;
        }

        lock (_storeLock)
        {
            StoreToolstack.RequestShutdown(_store, record.Id, request.Reboot);
        }

        PostStoreDelivery();
        Sender.Tell(new ShutdownRequested(request.Domain), Self);
    }

    /// <summary>Removes a retired domain's store directory and connection (the @releaseDomain watch fires).</summary>
    private void DisconnectFromStore(int id)
    {
        lock (_storeLock)
        {
            if (_storeBackends.TryRemove(id, out _))
            {
                StoreToolstack.Release(_store, id);
            }
        }

        PostStoreDelivery();
    }

    /// <summary>Tells the hypervisor actor to deliver queued XenStore watch events.</summary>
    private sealed class DeliverStoreEvents
    {
        public static readonly DeliverStoreEvents Instance = new();
    }
}
