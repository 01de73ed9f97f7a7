using System.Collections.Concurrent;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The hypervisor as toolstack for interdomain event channels: it finds live domains by id for
/// binding, raises a send in the peer while none of the peer's slices runs, and sets up the
/// channels of <see cref="HypervisorOptions.Channels"/> as their domains are built. Invariant: a
/// domain is in the live table from its build until it is retired, so a send never reaches a
/// domain whose memory is gone.
/// </summary>
public sealed partial class HypervisorActor
{
    private readonly Dictionary<string, int> _reservedIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Listener, string Peer), (int ListenerId, uint Port)> _listening = [];
    private readonly ConcurrentDictionary<int, LiveDomain> _liveById = new();

    /// <summary>Lets the new domain find its peers; a slice on a physical-CPU thread may call these, hence the concurrent table.</summary>
    private void ConnectToPeers(LiveDomain live)
    {
        live.Domain.Peers = dom => _liveById.TryGetValue(dom.Value, out var peer) ? peer.Domain : null;
        live.Domain.Events.RemoteSend = (dom, port) =>
        {
            if (_liveById.TryGetValue(dom.Value, out var peer))
            {
                peer.Exclusive(() => peer.Domain.Events.SetPending(port));
            }
        };
    }

    /// <summary>
    /// Sets up the channels of the new domain <paramref name="name"/> (id <paramref name="id"/>): for
    /// each pair whose other end already listens for it, the domain is told to bind; for the others
    /// an unbound port is allocated in it for the peer's id (reserved now if the peer is not built
    /// yet) and the domain is told to listen. Returns the reason when the command line is full.
    /// </summary>
    private string? SetUpChannels(string name, int id, LiveDomain live)
    {
        var words = new List<string>();
        foreach (var pair in _options.Channels ?? [])
        {
            if (pair.PeerOf(name) is not { } peer)
            {
                continue;
            }

            if (_listening.Remove((peer, name), out var listener) && _liveById.ContainsKey(listener.ListenerId))
            {
                words.Add($"evtchn=bind:{listener.ListenerId}:{listener.Port}");
                continue;
            }

            int peerId = Find(peer) is { Actor: not null } built ? built.Id : ReservedId(peer);
            if (live.Domain.Events.AllocUnbound(new DomId((ushort)peerId), out uint port) != EventChannelError.None)
            {
                return $"no free event channel port for the channel to {peer}";
            }

            _listening[(name, peer)] = (id, port);
            words.Add($"evtchn=listen:{peerId}:{port}");
        }

        return words.Count == 0 || live.TryAppendCommandLine(string.Join(' ', words))
            ? null
            : "the command line is too long for the event channel words";
    }

    private int ReservedId(string name)
    {
        if (!_reservedIds.TryGetValue(name, out int id))
        {
            id = _nextId++;
            _reservedIds[name] = id;
        }

        return id;
    }
}
