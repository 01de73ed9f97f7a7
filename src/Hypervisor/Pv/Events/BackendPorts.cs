using System.Collections.Concurrent;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv.Events;

/// <summary>
/// The host's table of back-end ports: for each (domain, port) whose other end lives inside the
/// host, the one owner told when the guest sends on it (the console back-end on the console port,
/// XenStore on the store port, a device back-end on its ring's port). Owners register and leave
/// independently; no owner wraps another. Safe to use from several threads.
/// </summary>
public sealed class BackendPorts
{
    private readonly ConcurrentDictionary<(DomId Domain, uint Port), Action> _owners = new();

    /// <summary>Makes <paramref name="onNotify"/> the owner of the port; false when the port has an owner already.</summary>
    public bool Register(DomId domain, uint port, Action onNotify)
    {
        ArgumentNullException.ThrowIfNull(onNotify);
        return _owners.TryAdd((domain, port), onNotify);
    }

    /// <summary>Removes the owner of one port (nothing when it has none).</summary>
    public void Unregister(DomId domain, uint port) => _owners.TryRemove((domain, port), out _);

    /// <summary>Removes every owner of the domain's ports (the domain is going away).</summary>
    public void UnregisterAll(DomId domain)
    {
        foreach (var key in _owners.Keys)
        {
            if (key.Domain == domain)
            {
                _owners.TryRemove(key, out _);
            }
        }
    }

    /// <summary>True when the port has an owner.</summary>
    public bool IsOwned(DomId domain, uint port) => _owners.ContainsKey((domain, port));

    /// <summary>Tells the port's owner of a send; false when the port has none (the send is dropped, as on an unconnected back-end).</summary>
    public bool Notify(DomId domain, uint port)
    {
        if (!_owners.TryGetValue((domain, port), out var owner))
        {
            return false;
        }

        owner();
        return true;
    }
}
