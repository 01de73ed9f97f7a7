using System.Collections.Concurrent;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The hypervisor as toolstack for interdomain event channels: before a domain is built it plans
/// the channels of <see cref="HypervisorOptions.Channels"/> that join it, so that the builder
/// writes the words into its command line and allocates its listening ports; the host's seam
/// (<see cref="HostSeam"/>) finds live domains by id for binding and delivers a send to the peer
/// while none of the peer's slices runs. Invariant: a domain is in the live table from its build
/// until it is retired, so a send never reaches a domain whose memory is gone.
/// </summary>
public sealed partial class HypervisorActor
{
    private readonly Dictionary<string, int> _reservedIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Listener, string Peer), (int ListenerId, uint Port)> _listening = [];
    /// <summary>The first port the toolstack allocates: after the builder's store (1) and console (2) ports, as xl numbers them.</summary>
    private const uint FirstToolstackPort = 3;

    private readonly HostSeam _seam = new();

    /// <summary>The live domains by id (the seam's table); a slice on a physical-CPU thread may read it, hence concurrent.</summary>
    private ConcurrentDictionary<int, LiveDomain> _liveById => _seam.Domains;

    /// <summary>
    /// Plans the channels of the new domain <paramref name="name"/> (id <paramref name="id"/>): for
    /// each pair whose other end already listens for it, the domain is told to bind; for the others
    /// a port is set aside, allocated unbound at build for the peer's id (reserved now if the peer
    /// is not built yet), and the domain is told to listen on it.
    /// </summary>
    private ChannelPlan PlanChannels(string name, int id)
    {
        var plan = new ChannelPlan();
        uint next = FirstToolstackPort;
        foreach (var pair in _options.Channels ?? [])
        {
            if (pair.PeerOf(name) is not { } peer)
            {
                continue;
            }

            if (_listening.TryGetValue((peer, name), out var listener))
            {
                // A listener is used up by the domain that binds to it, or forgotten when it is no longer live.
                plan.Consumed.Add(peer);
                if (_liveById.ContainsKey(listener.ListenerId))
                {
                    plan.Words.Add($"evtchn=bind:{listener.ListenerId}:{listener.Port}");
                    continue;
                }
            }

            int peerId = Find(peer) is { Actor: not null } built ? built.Id : ReservedId(peer);
            uint port = next++;
            plan.Unbound.Add(new UnboundPort(port, new DomId((ushort)peerId)));
            plan.Listens.Add((peer, port));
            plan.Words.Add($"evtchn=listen:{peerId}:{port}");
        }

        return plan;
    }

    /// <summary>Records what a plan did once its domain is built: the listeners it found are used up, its own ports listen.</summary>
    private void CommitChannels(string name, int id, ChannelPlan plan)
    {
        foreach (var peer in plan.Consumed)
        {
            _listening.Remove((peer, name));
        }

        foreach (var (peer, port) in plan.Listens)
        {
            _listening[(name, peer)] = (id, port);
        }
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

    /// <summary>The channel words and build-time ports of one domain.</summary>
    private sealed class ChannelPlan
    {
        public List<string> Words { get; } = [];

        public List<UnboundPort> Unbound { get; } = [];

        public List<(string Peer, uint Port)> Listens { get; } = [];

        public List<string> Consumed { get; } = [];

        /// <summary>The spec's command line with the channel words after it.</summary>
        public string CommandLine(string cmdline) =>
            Words.Count == 0 ? cmdline : cmdline.Length == 0 ? string.Join(' ', Words) : cmdline + " " + string.Join(' ', Words);
    }
}
