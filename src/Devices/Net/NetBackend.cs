using System.Globalization;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Rings;

namespace ActorVisor.Devices.Net;

/// <summary>
/// The back-end of one virtual network interface (netif, io/netif.h) with grant copy both ways:
/// it takes the packets the front-end queues on its tx ring, copies them out of the granted pages
/// and hands them to its switch port; frames the switch delivers wait in a bounded queue until
/// <see cref="Service"/> copies them into rx buffers the front-end posted. One queue (no
/// multi-queue-max-queues), one or two event channels (feature-split-event-channels), scatter-gather
/// both ways, checksum offload completed here, no GSO.
/// </summary>
/// <remarks>
/// Invariants, checked where the indices move:
/// <list type="bullet">
/// <item>The back-end writes only rsp_prod and req_event of each ring and the response slots;
/// every request slot it consumes gets exactly one response in the same slot order (an extra-info
/// slot a NETIF_RSP_NULL one), so the front-end's view of the ring never desynchronises.</item>
/// <item>A request producer is read once per pass into a local; if it is behind the back-end's
/// consumer or more than a ring ahead, the ring is not read at all (counted, retried only on the
/// next notification).</item>
/// <item>Each request slot is read once into locals and only the copy is validated; packet data is
/// reached only through <see cref="IGrantedMemory.CopyFrom"/> and <see cref="IGrantedMemory.CopyTo"/>,
/// which enforce the grant's rules, and only within one page per slot.</item>
/// <item>Rx responses use the slot of the request they answer (Linux's netfront relies on it).</item>
/// </list>
/// Threads: <see cref="Connect"/>, <see cref="Service"/> and <see cref="Disconnect"/> run on the
/// vif's own (IOPM) thread and are the only code that touches the rings. <see cref="Deliver"/>
/// runs on any sender's thread and only puts the frame in the lock-guarded queue and asks the host
/// for a Service call (<see cref="IRequestsService"/>).
/// </remarks>
public sealed partial class NetBackend : IDeviceBackend, IFramePort, IRequestsService
{
    private readonly NetBackendOptions _options;
    private readonly Lock _rxQueueLock = new();
    private readonly Queue<EthernetFrame> _rxQueue = new();
    private bool _serviceRequested;
    private SwitchPort? _uplink;
    private Connection? _connection;

    /// <param name="mac">The vif's MAC, as the toolstack wrote it into the front-end's <c>mac</c> key.</param>
    /// <param name="name">Name for logs and counters (vif&lt;domid&gt;.&lt;index&gt;).</param>
    public NetBackend(MacAddress mac, string name = "vif", NetBackendOptions? options = null)
    {
        if (!mac.IsValidSource)
        {
            throw new ArgumentException($"a vif needs a unicast MAC, not {mac}", nameof(mac));
        }
        _options = options ?? new NetBackendOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxFrameBytes, NetifLayout.EthernetHeaderBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxFrameBytes, NetifLayout.MaxTxPacketBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxSlotsPerPacket, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxSlotsPerPacket, NetifLayout.TxRingEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.RxQueueFrames, 1);
        Mac = mac;
        Name = name;
        AdvertisedKeys =
        [
            new("feature-rx-copy", "1"),
            new("feature-rx-flip", "0"),
            new("feature-sg", "1"),
            new("feature-gso-tcpv4", "0"),
            new("feature-gso-tcpv6", "0"),
            new("feature-ipv6-csum-offload", "1"),
            new("feature-multicast-control", "0"),
            new("feature-split-event-channels", "1"),
            new("mac", mac.ToString()),
        ];
    }

    public DeviceClass Class => DeviceClass.Vif;

    public MacAddress Mac { get; }

    public string Name { get; }

    /// <summary>
    /// The back-end's keys: copying rx (no page flipping), scatter-gather, checksum offload for IPv4
    /// (always on in netif) and IPv6, split event channels allowed; no GSO, no multicast control,
    /// one queue (multi-queue-max-queues absent). The toolstack writes the same MAC into the front-end's
    /// own <c>mac</c> key.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> AdvertisedKeys { get; }

    public DeviceCounters Counters { get; } = new();

    public NetCounters Net { get; } = new();

    public Action? ServiceRequested { get; set; }

    /// <summary>Where both directions are captured (what the guest sent, what it received); null for none.</summary>
    public PcapWriter? Capture { get; set; }

    public bool IsConnected => _connection is not null;

    /// <summary>Frames waiting for rx buffers.</summary>
    public int QueuedFrames
    {
        get
        {
            lock (_rxQueueLock)
            {
                return _rxQueue.Count;
            }
        }
    }

    /// <summary>Attaches the vif to <paramref name="bridge"/> (leaving the one it was on).</summary>
    public void Plug(VirtualSwitch bridge)
    {
        Unplug();
        _uplink = bridge.Attach(this);
    }

    public void Unplug()
    {
        _uplink?.Detach();
        _uplink = null;
    }

    public string? Connect(FrontendLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (_connection is not null)
        {
            return "the vif is already connected";
        }
        if (link.ReadKey("request-rx-copy") != "1")
        {
            return "the front-end did not set request-rx-copy=1 (this back-end copies received packets and does not flip pages)";
        }
        var queues = link.ReadKey("multi-queue-num-queues");
        if (queues is not null && queues != "1")
        {
            return $"the front-end asked for {queues} queues (multi-queue-num-queues) and this back-end offers one";
        }
        if (!TryReadGrantRef(link, "tx-ring-ref", out var txRef, out var problem) || !TryReadGrantRef(link, "rx-ring-ref", out var rxRef, out problem))
        {
            return problem;
        }
        IFrontendChannel? txChannel;
        IFrontendChannel? rxChannel;
        if (link.Channels.TryGetValue("event-channel", out var shared))
        {
            txChannel = rxChannel = shared;
        }
        else if (!link.Channels.TryGetValue("event-channel-tx", out txChannel) || !link.Channels.TryGetValue("event-channel-rx", out rxChannel))
        {
            return "the front-end named no event-channel (nor both event-channel-tx and event-channel-rx)";
        }
        var error = link.Grants.Map(txRef, writable: true, out var txPage);
        if (error != GrantAccessError.None || txPage is null)
        {
            return $"the tx ring (grant {txRef}) cannot be mapped writable: {error}";
        }
        error = link.Grants.Map(rxRef, writable: true, out var rxPage);
        if (error != GrantAccessError.None || rxPage is null)
        {
            txPage.Dispose();
            return $"the rx ring (grant {rxRef}) cannot be mapped writable: {error}";
        }
        // Attach to the rings where the front-end's indices are (a fresh ring has rsp_prod 0; a
        // reconnecting front-end keeps its ring), as Xen's back-ends do.
        var txHeader = new SharedRingHeader(txPage.Bytes);
        var rxHeader = new SharedRingHeader(rxPage.Bytes);
        var txStart = txHeader.ResponseProducer;
        var rxStart = rxHeader.ResponseProducer;
        _connection = new Connection(link.Grants, txPage, rxPage, txChannel, rxChannel!)
        {
            FrontendScatterGather = link.ReadKey("feature-sg") == "1",
            TxRequestConsumer = txStart,
            TxResponsePrivate = txStart,
            TxResponsePublished = txStart,
            RxRequestConsumer = rxStart,
            RxResponsePrivate = rxStart,
            RxResponsePublished = rxStart,
        };
        return null;
    }

    public void Disconnect()
    {
        var connection = _connection;
        _connection = null;
        if (connection is not null)
        {
            connection.TxPage.Dispose();
            connection.RxPage.Dispose();
        }
        lock (_rxQueueLock)
        {
            _rxQueue.Clear();
            _serviceRequested = false;
        }
    }

    /// <summary>Sends what the guest queued on its tx ring and fills its rx ring from the queue; returns the packets moved.</summary>
    public int Service()
    {
        lock (_rxQueueLock)
        {
            _serviceRequested = false;
        }
        var connection = _connection;
        if (connection is null)
        {
            return 0;
        }
        var handled = ServiceTransmit(connection, out var txLeft);
        handled += ServiceReceive(connection);
        if (txLeft)
        {
            RequestService();
        }
        return handled;
    }

    /// <summary>Queues a frame from the switch for the guest (any thread); drops it when the queue is full or no front-end is connected.</summary>
    public void Deliver(EthernetFrame frame)
    {
        if (_connection is null)
        {
            Net.CountRxNotConnected();
            return;
        }
        bool request;
        lock (_rxQueueLock)
        {
            if (_rxQueue.Count >= _options.RxQueueFrames)
            {
                Net.CountRxQueueFull();
                return;
            }
            _rxQueue.Enqueue(frame);
            request = !_serviceRequested;
            _serviceRequested = true;
        }
        if (request)
        {
            ServiceRequested?.Invoke();
        }
    }

    private void RequestService()
    {
        lock (_rxQueueLock)
        {
            if (_serviceRequested)
            {
                return;
            }
            _serviceRequested = true;
        }
        ServiceRequested?.Invoke();
    }

    private void CountGuestError(NetRingError error)
    {
        Net.CountError(error);
        Counters.CountError();
    }

    private static bool TryReadGrantRef(FrontendLink link, string key, out uint value, out string? problem)
    {
        var text = link.ReadKey(key);
        problem = null;
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        problem = text is null ? $"the front-end wrote no {key}" : $"the front-end's {key} '{text}' is not a grant reference";
        return false;
    }

    /// <summary>The state of one connection: mapped rings, channels and the back-end's private ring indices.</summary>
    private sealed class Connection(IGrantedMemory grants, IGrantedPage txPage, IGrantedPage rxPage, IFrontendChannel txChannel, IFrontendChannel rxChannel)
    {
        public IGrantedMemory Grants { get; } = grants;

        public IGrantedPage TxPage { get; } = txPage;

        public IGrantedPage RxPage { get; } = rxPage;

        public IFrontendChannel TxChannel { get; } = txChannel;

        public IFrontendChannel RxChannel { get; } = rxChannel;

        /// <summary>The front-end offered feature-sg: it accepts a received packet spread over several rx buffers.</summary>
        public bool FrontendScatterGather { get; init; }

        public uint TxRequestConsumer { get; set; }

        public uint TxResponsePrivate { get; set; }

        public uint TxResponsePublished { get; set; }

        public uint RxRequestConsumer { get; set; }

        public uint RxResponsePrivate { get; set; }

        public uint RxResponsePublished { get; set; }

        /// <summary>Scratch for one tx packet's slots, reused between packets.</summary>
        public TxSlot[] Slots { get; } = new TxSlot[NetifLayout.TxRingEntries];
    }
}
