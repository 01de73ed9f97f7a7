using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The host's XenStore as code inside the host uses it (the toolstack, the IOPMs' XenBus back-ends):
/// every access holds the one store lock that the domains' store rings are served under, and after
/// each access the watch events it queued are handed for delivery (<c>changed</c>), so that a
/// guest's or an IOPM's watch fires as if a store client had written. Callable from any thread.
/// </summary>
public sealed class HostStore
{
    private readonly Lock _lock;
    private readonly Action _changed;

    /// <param name="store">The store.</param>
    /// <param name="storeLock">The lock every store access holds.</param>
    /// <param name="changed">Asks for queued watch events to be delivered; called outside the lock.</param>
    public HostStore(XenStore store, Lock storeLock, Action changed)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(changed);
        Store = store;
        _lock = storeLock;
        _changed = changed;
    }

    /// <summary>The store itself; touch it only inside <see cref="Use{T}"/> (or while nothing else runs).</summary>
    public XenStore Store { get; }

    /// <summary>Runs <paramref name="access"/> holding the store lock, then has the watch events it caused delivered.</summary>
    public T Use<T>(Func<XenStore, T> access)
    {
        ArgumentNullException.ThrowIfNull(access);
        T result;
        lock (_lock)
        {
            result = access(Store);
        }

        _changed();
        return result;
    }

    /// <summary>Runs <paramref name="access"/> holding the store lock, then has the watch events it caused delivered.</summary>
    public void Use(Action<XenStore> access)
    {
        ArgumentNullException.ThrowIfNull(access);
        Use(store =>
        {
            access(store);
            return true;
        });
    }
}
