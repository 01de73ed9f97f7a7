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
    private readonly long _watchdogNs;
    private bool _handedOver;
    private bool _watchdogArmed;

    public DeviceActor(IopmContext iopm, XenBusBackend xenbus, DeviceDoorbell doorbell, IFaultSite site, bool takenOver, IopmLane lane, long watchdogNs = 0)
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
        _watchdogNs = watchdogNs;
        Receive<StartDevice>(_ => _xenbus.Start(_takenOver));
        Receive<RecoverDevice>(_ =>
        {
            _site.Record("recover", _xenbus.Recover());
            Watch();
        });
        Receive<ResumeHeldWork>(_ => Timed(() => (_backend as IRecoverableBackend)?.ResumeHeld()));
        Receive<WatchdogCheck>(OnWatchdog);
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
        Timed(() => _xenbus.Service());
    }

    /// <summary>Runs back-end work, counts its host time, then looks at what the back-end asks for (<see cref="Watch"/>).</summary>
    private void Timed(Action work)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            work();
        }
        finally
        {
            _iopm.Load.Serviced(Stopwatch.GetTimestamp() - started);
        }

        Watch();
    }

    /// <summary>
    /// After back-end work: a recoverable back-end that asked to hold its work back gets a
    /// <see cref="ResumeHeldWork"/> after that long; one left with work unanswered arms the
    /// watchdog (once: it re-arms itself while the back-end progresses).
    /// </summary>
    private void Watch()
    {
        if (_backend is not IRecoverableBackend recoverable)
        {
            return;
        }

        if (recoverable.TakeHoldBackNs() is var hold and > 0)
        {
            Later(hold, ResumeHeldWork.Instance);
        }

        if (_watchdogNs > 0 && !_watchdogArmed && recoverable.HasUnansweredWork)
        {
            _watchdogArmed = true;
            Later(_watchdogNs, new WatchdogCheck(recoverable.Progress));
        }
    }

    private void OnWatchdog(WatchdogCheck check)
    {
        _watchdogArmed = false;
        if (_backend is not IRecoverableBackend recoverable || !recoverable.HasUnansweredWork)
        {
            return;
        }

        if (recoverable.Progress != check.Progress)
        {
            Watch();
            return;
        }

        string detail = $"no progress for {Scenario.Checks.FormatNs(_watchdogNs)} with work unanswered: the back-end is restarted";
        _site.Record("watchdog", detail);
        throw new BackendStalledException($"watchdog: {detail}");
    }

    /// <summary>Sends <paramref name="message"/> to this actor after <paramref name="delayNs"/> of virtual time, counted as IOPM work when it arrives.</summary>
    private void Later(long delayNs, object message)
    {
        var self = Self;
        var lane = Lane;
        Context.System.Scheduler.Advanced.ScheduleOnce(VirtualClock.Delay(delayNs), () => lane.Tell(self, message));
    }
}

/// <summary>The watchdog's verdict on a back-end that stopped making progress: its IOPM restarts it as it restarts a crashed one.</summary>
public sealed class BackendStalledException : Exception
{
    public BackendStalledException()
    {
    }

    public BackendStalledException(string message)
        : base(message)
    {
    }

    public BackendStalledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
