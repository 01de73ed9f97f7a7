using System.Globalization;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Devices.Backends;
using ActorVisor.Hypervisor.Grants;
using ActorVisor.Hypervisor.Pv.Events;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// The XenBus half of one back-end, as a Linux back-end driver does it, acting as the IOPM's domain
/// in the host's store: it publishes the device's keys and InitWait, watches the front-end's state,
/// and on Initialised (or Connected, for front-ends such as netfront that skip it) reads the
/// front-end's keys, binds the event channel(s) the front-end allocated unbound for the IOPM,
/// connects the back-end and publishes Connected; on the front-end's Closing it disconnects and
/// publishes Closing, on Closed Closed, and a front-end that starts over (Initialising after
/// Closed) finds it in InitWait again. A refused connection is written to the back-end's
/// <c>error</c> node with state Closing, as xenbus_dev_fatal does. It runs on the device actor's
/// thread; nothing here is thrown for what a front-end wrote.
/// </summary>
public sealed class XenBusBackend
{
    /// <summary>The front-end keys that name event channels: blkif's and netif's single channel, and netif's split pair.</summary>
    private static readonly string[] ChannelKeys = ["event-channel", "event-channel-tx", "event-channel-rx"];

    private readonly IopmContext _iopm;
    private readonly DeviceKey _key;
    private readonly IDeviceBackend _backend;
    private readonly Action _notified;
    private readonly List<uint> _boundPorts = [];
    private bool _skipFirstEvent;
    private bool _watching;
    private bool _connected;
    private FrontendLink? _link;

    /// <param name="iopm">The IOPM serving the device.</param>
    /// <param name="key">The device.</param>
    /// <param name="backend">The back-end's protocol logic.</param>
    /// <param name="notified">Called (on the guest's thread) for each send of the front-end on a bound channel.</param>
    public XenBusBackend(IopmContext iopm, DeviceKey key, IDeviceBackend backend, Action notified)
    {
        ArgumentNullException.ThrowIfNull(iopm);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(notified);
        _iopm = iopm;
        _key = key;
        _backend = backend;
        _notified = notified;
    }

    public XenBusState State { get; private set; } = XenBusState.Initialising;

    public bool IsConnected => _connected;

    /// <summary>Why the last connection was refused, or null.</summary>
    public string? Error { get; private set; }

    public DeviceKey Key => _key;

    public IDeviceBackend Backend => _backend;

    private string BackPath => _key.BackendPath(_iopm.Id);

    private DomId Self => _iopm.DomId;

    /// <summary>
    /// Publishes the back-end's keys and InitWait and watches the front-end's state. A device taken
    /// over from another IOPM ignores the front-end's state as it stands (it was published for the
    /// old back-end) and connects when the front-end publishes again.
    /// </summary>
    public void Start(bool takenOver)
    {
        _skipFirstEvent = takenOver;
        _iopm.Store.Use(store =>
        {
            foreach (var (name, value) in _backend.AdvertisedKeys)
            {
                store.Write(Self, 0, $"{BackPath}/{name}", Encoding.ASCII.GetBytes(value));
            }
        });
        Publish(XenBusState.InitWait);
        _watching = _iopm.Store.Use(store => store.Watch(Self, $"{_key.FrontendPath}/state", _key.Name)) == StoreError.None;
    }

    /// <summary>The watch on the front-end's state fired: read it and take the step it asks for.</summary>
    public void FrontendChanged()
    {
        if (_skipFirstEvent)
        {
            _skipFirstEvent = false;
            return;
        }

        var front = ReadFrontendState();
        switch (front)
        {
            case XenBusState.Initialised or XenBusState.Connected when State is XenBusState.InitWait:
                Connect();
                break;
            case XenBusState.Closing when State is not (XenBusState.Closing or XenBusState.Closed):
                Disconnect();
                Publish(XenBusState.Closing);
                break;
            case XenBusState.Closed when State is not XenBusState.Closed:
                Disconnect();
                Publish(XenBusState.Closed);
                break;
            case XenBusState.Initialising when State is XenBusState.Closed:
                Publish(XenBusState.InitWait);
                break;
            case XenBusState.Unknown:
                // The front-end's directory is gone (its domain was destroyed).
                Disconnect();
                break;
        }
    }

    /// <summary>Services the front-end's queued requests; returns how many were handled (0 when not connected).</summary>
    public int Service() => IsConnected ? _backend.Service() : 0;

    /// <summary>Ends the connection (if any) and the watch; the back-end directory stays for the toolstack to remove.</summary>
    public void Stop()
    {
        Disconnect();
        if (_watching)
        {
            _iopm.Store.Use(store => store.Unwatch(Self, $"{_key.FrontendPath}/state", _key.Name));
            _watching = false;
        }
    }

    /// <summary>
    /// Takes the device up again after its actor's restart; returns what was done, for the fault
    /// timeline. Not connected yet: the watch and the handshake's state survived, so it carries on.
    /// Connected to a recoverable back-end: the back-end re-attaches to the same link (rings, grants
    /// and the ports still bound here) and replays what it had taken and not answered; if it cannot
    /// (its image is gone), the connection is refused as a failed connect is (error node, Closing).
    /// Connected to another back-end: it disconnects and starts over, and the front-end, still
    /// Connected, is connected again.
    /// </summary>
    public string Recover()
    {
        if (!_connected || _link is not { } link)
        {
            return $"not connected (state {XenBusToolstack.State(State)}): the handshake carries on";
        }

        if (_backend is not IRecoverableBackend recoverable)
        {
            Stop();
            Start(takenOver: false);
            return "the back-end cannot re-attach: it starts over through XenBus";
        }

        var result = recoverable.Reattach(link);
        if (result.Recovered)
        {
            return string.Create(CultureInfo.InvariantCulture, $"re-attached to the same rings, {result.Replayed} requests taken again");
        }

        // Reattach has answered what it could with errors and disconnected the back-end.
        _connected = false;
        _link = null;
        Refuse($"cannot recover after a restart: {result.Failure}");
        return $"gave up: {result.Failure}";
    }

    private XenBusState ReadFrontendState()
    {
        string? text = ReadFrontendKey("state");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int state) && Enum.IsDefined((XenBusState)state)
            ? (XenBusState)state
            : XenBusState.Unknown;
    }

    private string? ReadFrontendKey(string name) =>
        _iopm.Store.Use(store => store.Read(Self, 0, $"{_key.FrontendPath}/{name}", out var value) == StoreError.None ? Encoding.ASCII.GetString(value) : null);

    private void Connect()
    {
        var live = _iopm.Frontend(_key.Frontend);
        if (live is null)
        {
            return;
        }

        var channels = new Dictionary<string, IFrontendChannel>(StringComparer.Ordinal);
        foreach (var name in ChannelKeys)
        {
            if (ReadFrontendKey(name) is not { } text)
            {
                continue;
            }

            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint port))
            {
                Refuse($"{name} is not a port number: '{text}'");
                return;
            }

            var error = live.Domain.Events.BindUnboundToHostBackend(port, Self, _iopm.NextPort());
            if (error != EventChannelError.None)
            {
                Refuse($"{name} {port} cannot be bound for dom{_iopm.Id}: {error}");
                return;
            }

            if (!_iopm.Seam.Ports.Register(live.Domain.Id, port, _notified))
            {
                live.Domain.Events.UnbindHostBackend(port, Self);
                Refuse($"{name} {port} has an owner in the host already");
                return;
            }

            _boundPorts.Add(port);

            channels[name] = new FrontendChannel(live, port, Self);
        }

        var grants = new GrantedMemory(new BackendGrants(_iopm.Machine, d => _iopm.Seam.FindPeer(d)?.Grants, live.Domain.Id, Self));
        var link = new FrontendLink(_key.Frontend, ReadFrontendKey, grants, channels);
        if (_backend.Connect(link) is { } refusal)
        {
            Refuse(refusal);
            return;
        }

        Error = null;
        _connected = true;
        _link = link;
        Publish(XenBusState.Connected);
    }

    private void Refuse(string reason)
    {
        ReleaseChannels();
        Error = reason;
        _iopm.Store.Use(store => store.Write(Self, 0, $"{BackPath}/error", Encoding.ASCII.GetBytes(reason)));
        Publish(XenBusState.Closing);
    }

    private void Disconnect()
    {
        if (_connected)
        {
            _connected = false;
            _link = null;
            if (_backend is IRecoverableBackend recoverable && _backend.Class == DeviceClass.Vbd)
            {
                _iopm.Load.LeftUnanswered(_key.Frontend, recoverable.UnansweredRequests);
            }

            _backend.Disconnect();
        }

        ReleaseChannels();
    }

    private void ReleaseChannels()
    {
        var live = _iopm.Frontend(_key.Frontend);
        foreach (var port in _boundPorts)
        {
            _iopm.Seam.Ports.Unregister(new DomId((ushort)_key.Frontend), port);
            live?.Domain.Events.UnbindHostBackend(port, Self);
        }

        _boundPorts.Clear();
    }

    private void Publish(XenBusState state)
    {
        State = state;
        _iopm.Store.Use(store => store.Write(Self, 0, $"{BackPath}/state", Encoding.ASCII.GetBytes(XenBusToolstack.State(state))));
    }
}
