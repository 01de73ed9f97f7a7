using System.Diagnostics;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Faults;
using Akka.Actor;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// One device back-end inside its IOPM (/user/hypervisor/iopm-&lt;name&gt;/&lt;class&gt;-&lt;fe&gt;-&lt;devid&gt;):
/// hosts an <see cref="IDeviceBackend"/> and its <see cref="XenBusBackend"/>. A guest's send on the
/// device's channel reaches the host's port table on the guest's thread, which rings the device's
/// <see cref="DeviceDoorbell"/>: one <see cref="FrontendNotified"/> here, then a call of
/// <see cref="IDeviceBackend.Service"/> on the IOPM's thread. The back-end, its XenBus half and the
/// doorbell belong to the device and are made by the IOPM (<see cref="IopmActor"/>), so that they
/// outlive a restart of this actor (a host bug or an injected crash in the back-end, or its IOPM's
/// restart): the restarted actor takes the connection up again (<see cref="XenBusBackend.Recover"/>:
/// a recoverable back-end re-attaches to the same rings, grants and ports and replays what was
/// taken and not answered; another reconnects through XenBus).
/// </summary>
public sealed class DeviceActor : IopmSideActor
{
    private readonly IopmContext _iopm;
    private readonly DeviceKey _key;
    private readonly XenBusBackend _xenbus;
    private readonly DeviceDoorbell _doorbell;
    private readonly IFaultSite _site;
    private readonly bool _takenOver;
    private readonly IDeviceBackend _backend;
    private bool _handedOver;

    public DeviceActor(IopmContext iopm, XenBusBackend xenbus, DeviceDoorbell doorbell, IFaultSite site, bool takenOver, IopmLane lane)
        : base(lane)
    {
        ArgumentNullException.ThrowIfNull(iopm);
        ArgumentNullException.ThrowIfNull(xenbus);
        ArgumentNullException.ThrowIfNull(doorbell);
        ArgumentNullException.ThrowIfNull(site);
        _iopm = iopm;
        _xenbus = xenbus;
        _key = xenbus.Key;
        _backend = xenbus.Backend;
        _doorbell = doorbell;
        _site = site;
        _takenOver = takenOver;
        Receive<StartDevice>(_ => _xenbus.Start(_takenOver));
        Receive<RecoverDevice>(_ => _site.Record("recover", _xenbus.Recover()));
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

    /// <summary>A restart keeps the device (back-end, connection, watch): the new incarnation takes it up (<see cref="RecoverDevice"/>).</summary>
    protected override void PreRestart(Exception reason, object message)
    {
    }

    protected override void PostRestart(Exception reason) => Lane.Tell(Self, RecoverDevice.Instance);

    private void Service()
    {
        _doorbell.Answered();
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
