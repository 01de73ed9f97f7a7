using System.Diagnostics;
using ActorVisor.Devices.Backends;
using Akka.Actor;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// One device back-end inside its IOPM (/user/hypervisor/iopm-&lt;name&gt;/&lt;class&gt;-&lt;fe&gt;-&lt;devid&gt;):
/// hosts an <see cref="IDeviceBackend"/> and its <see cref="XenBusBackend"/>. A guest's send on the
/// device's channel reaches the host's port table on the guest's thread, which posts one
/// <see cref="FrontendNotified"/> here (sends that arrive before it is handled are folded into it);
/// the actor then calls <see cref="IDeviceBackend.Service"/> on the IOPM's thread. A restart (a host
/// bug in the back-end) disconnects and starts over: the front-end's rings, grants and ports
/// outlive the actor, so the new incarnation re-binds and re-maps them.
/// </summary>
public sealed class DeviceActor : IopmSideActor
{
    private readonly IopmContext _iopm;
    private readonly DeviceKey _key;
    private readonly XenBusBackend _xenbus;
    private readonly bool _takenOver;
    private readonly IDeviceBackend _backend;
    private int _notificationPosted;
    private bool _handedOver;

    public DeviceActor(IopmContext iopm, DeviceKey key, IDeviceBackend backend, bool takenOver, IopmLane lane)
        : base(lane)
    {
        ArgumentNullException.ThrowIfNull(iopm);
        ArgumentNullException.ThrowIfNull(backend);
        _iopm = iopm;
        _key = key;
        _takenOver = takenOver;
        _backend = backend;
        var self = Self;
        void Post()
        {
            if (Interlocked.Exchange(ref _notificationPosted, 1) == 0)
            {
                iopm.Load.Posted();
                lane.Tell(self, FrontendNotified.Instance);
            }
        }

        _xenbus = new XenBusBackend(iopm, key, backend, Post);
        if (backend is IRequestsService asks)
        {
            // A back-end with work of its own (a frame the switch delivered to a vif) asks for a service call the same way.
            asks.ServiceRequested = Post;
        }

        iopm.Load.Add(key, backend.Counters);
        Receive<StartDevice>(_ => _xenbus.Start(_takenOver));
        Receive<StrikeBackend>(_ => throw new ActorKilledException("killed by an injected crash"));
        Receive<FrontendStateChanged>(_ => _xenbus.FrontendChanged());
        Receive<FrontendNotified>(_ => Service());
        Receive<HandOverDevice>(handOver =>
        {
            _xenbus.Stop();
            _handedOver = true;
            Lane.Tell(handOver.To, handOver.Attach);
            Context.Stop(Self);
        });
    }

    protected override void PostStop()
    {
        if (!_handedOver)
        {
            _xenbus.Stop();
            DeviceBackends.Release(_backend);
        }

        _iopm.Load.Remove(_key);
    }

    /// <summary>A restart keeps the back-end (and a vif's place on its switch): only the connection ends.</summary>
    protected override void PreRestart(Exception reason, object message) => _xenbus.Stop();

    protected override void PostRestart(Exception reason)
    {
        // The front-end is still there: start over without waiting for it to publish again.
        Lane.Tell(Self, StartDevice.Instance);
    }

    private void Service()
    {
        Volatile.Write(ref _notificationPosted, 0);
        long started = Stopwatch.GetTimestamp();
        try
        {
            _xenbus.Service();
        }
        finally
        {
            _iopm.Load.Serviced(Stopwatch.GetTimestamp() - started);
        }
    }
}
