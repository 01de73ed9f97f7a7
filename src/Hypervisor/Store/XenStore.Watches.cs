using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// Watches. A watch on a path fires once when registered and then whenever a committed change
/// touches the path or a node below it (a removal also fires the watches below the removed
/// node, with their own path). The special paths @introduceDomain and @releaseDomain fire when
/// the control domain introduces or releases a domain. Events wait in a per-domain queue until
/// the domain's connection takes them.
/// </summary>
public sealed partial class XenStore
{
    private readonly List<RegisteredWatch> _watches = [];
    private readonly Dictionary<DomId, Queue<WatchEvent>> _pending = [];

    /// <summary>Watches registered at the moment, all domains together.</summary>
    public int WatchCount => _watches.Count;

    public StoreError Watch(DomId caller, string path, string token)
    {
        if (!StorePath.TryResolveWatch(caller, path, out var absolute))
        {
            return StoreError.Invalid;
        }

        if (_watches.Any(w => w.Owner == caller && w.Path == absolute && w.Token == token))
        {
            return StoreError.Exists;
        }

        if (caller != DomId.Dom0 && _watches.Count(w => w.Owner == caller) >= Quotas.MaxWatchesPerDomain)
        {
            return StoreError.TooBig;
        }

        bool relative = path[0] != '/' && path[0] != '@';
        _watches.Add(new RegisteredWatch(caller, absolute, token, relative));
        Queue(caller, new WatchEvent(path, token));
        return StoreError.None;
    }

    public StoreError Unwatch(DomId caller, string path, string token)
    {
        if (!StorePath.TryResolveWatch(caller, path, out var absolute))
        {
            return StoreError.Invalid;
        }

        int index = _watches.FindIndex(w => w.Owner == caller && w.Path == absolute && w.Token == token);
        if (index < 0)
        {
            return StoreError.NoEntry;
        }

        _watches.RemoveAt(index);
        return StoreError.None;
    }

    /// <summary>Removes every watch of a domain (RESET_WATCHES).</summary>
    public void ResetWatches(DomId caller) => _watches.RemoveAll(w => w.Owner == caller);

    /// <summary>Takes the oldest undelivered watch event of <paramref name="domain"/>, if any.</summary>
    public bool TryTakeEvent(DomId domain, out WatchEvent watchEvent)
    {
        watchEvent = default;
        return _pending.TryGetValue(domain, out var queue) && queue.TryDequeue(out watchEvent);
    }

    public int PendingEvents(DomId domain) => _pending.TryGetValue(domain, out var queue) ? queue.Count : 0;

    private void FireWatches(List<StoreChange> changes)
    {
        foreach (var change in changes)
        {
            foreach (var watch in _watches)
            {
                if (watch.Path[0] == '@')
                {
                    continue;
                }

                string? firedPath = StorePath.IsAtOrBelow(change.Path, watch.Path) ? change.Path
                    : change.Removed && StorePath.IsAtOrBelow(watch.Path, change.Path) ? watch.Path
                    : null;
                if (firedPath is null || (StorePermission.AccessFor(watch.Owner, change.Permissions) & StoreAccess.Read) == 0)
                {
                    continue;
                }

                Queue(watch.Owner, new WatchEvent(watch.Relative ? Relativize(watch.Owner, firedPath) : firedPath, watch.Token));
            }
        }
    }

    private void FireSpecial(string special)
    {
        foreach (var watch in _watches.Where(w => w.Path == special))
        {
            Queue(watch.Owner, new WatchEvent(special, watch.Token));
        }
    }

    private static string Relativize(DomId owner, string path)
    {
        string home = StorePath.DomainPath(owner) + "/";
        return path.StartsWith(home, StringComparison.Ordinal) ? path[home.Length..] : path;
    }

    private void Queue(DomId domain, WatchEvent watchEvent)
    {
        if (!_pending.TryGetValue(domain, out var queue))
        {
            _pending[domain] = queue = new Queue<WatchEvent>();
        }

        if (queue.Count >= Quotas.MaxPendingEventsPerDomain && domain != DomId.Dom0)
        {
            queue.Dequeue();
        }

        queue.Enqueue(watchEvent);
        _events?.EventsQueued(domain);
    }

    private sealed record RegisteredWatch(DomId Owner, string Path, string Token, bool Relative);
}
