using ActorVisor.Config.Faults;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Faults;
using ActorVisor.Host.Faults;
using Akka.Actor;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// One IOPM, a driver domain with a domain id of its own (/user/hypervisor/iopm-&lt;name&gt;): its
/// children are the <see cref="DeviceActor"/>s of the devices it serves. The hypervisor hands it
/// devices to serve and to let go; the store's watch events for its domain (the front-ends' state
/// nodes its back-ends watch) are taken here and passed to the device each token names. In
/// parallel runs it and its children run on threads of their own (<see cref="IopmLane"/>), apart
/// from the physical CPUs.
/// <para>
/// Supervision (<see cref="RestartBackoff"/>): a back-end that fails (a host exception, an injected
/// crash, a watchdog's verdict) is restarted alone, after a backoff in virtual time, within the
/// IOPM's budget (max-restarts within restart-window, <see cref="RestartWindow"/>); one past its
/// budget, or one at which an IOPM-wide crash rule fired, fails the whole IOPM (escalates to the
/// hypervisor). Guest-caused errors are results of the back-ends and never reach this strategy.
/// </para>
/// <para>
/// A restart of the IOPM itself keeps its children: the default PreRestart would stop them, and a
/// stopped device actor releases its back-end (closes the disk image). Kept, they are restarted by
/// Akka with the IOPM (each ends its connection and starts over on the same rings, grants and
/// ports, which outlive the actors), so an IOPM crash is a restart of every back-end it serves.
/// </para>
/// </summary>
public sealed class IopmActor : IopmSideActor
{
    private readonly IopmContext _iopm;
    private readonly IopmSupervision _supervision;
    private readonly RestartBackoff _strategy;
    private readonly Dictionary<string, RestartWindow> _windows = new(StringComparer.Ordinal);

    public IopmActor(IopmContext iopm, IopmLane lane, IopmSupervision supervision)
        : base(lane)
    {
        ArgumentNullException.ThrowIfNull(iopm);
        ArgumentNullException.ThrowIfNull(supervision);
        _iopm = iopm;
        _supervision = supervision;
        var self = Self;
        var scheduler = Context.System.Scheduler;
        _strategy = new RestartBackoff(Decide, (restart, delayNs) => scheduler.ScheduleTellOnce(VirtualClock.Delay(delayNs), self, restart, ActorRefs.NoSender));
        Receive<AttachDevice>(OnAttach);
        Receive<DetachDevice>(detach =>
        {
            var child = Context.Child(detach.Key.Name);
            if (!child.IsNobody())
            {
                Context.Stop(child);
            }
        });
        Receive<StoreEventsQueued>(_ => OnStoreEvents());
        Receive<HandOverDevice>(handOver =>
        {
            var child = Context.Child(handOver.Key.Name);
            if (child.IsNobody())
            {
                Lane.Tell(handOver.To, handOver.Attach);
            }
            else
            {
                Lane.Tell(child, handOver);
            }
        });
        Receive<InjectIopmFault>(OnInject);
        Receive<RestartLater>(restart =>
        {
            // A device detached during its backoff is gone: nothing to restart.
            if (Context.Child(restart.Child.Path.Name).Equals(restart.Child))
            {
                _strategy.RestartNow(restart);
            }
        });
    }

    private IFaultSite Site(string device) => _supervision.Faults.For(_iopm.Name, device);

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    /// <summary>Keeps the children (see the class comment): Akka restarts them with this actor.</summary>
    protected override void PreRestart(Exception reason, object message) =>
        Site("").Record("restart", $"the IOPM restarts with its {Context.GetChildren().Count()} back-ends ({reason.Message})");

    /// <summary>
    /// Akka restarts the children this IOPM kept right after this returns: each restart is counted
    /// (held) from now until the child has started again, so that a parallel run waits for it.
    /// </summary>
    public override void AroundPostRestart(Exception cause, object message)
    {
        foreach (var child in Context.GetChildren())
        {
            Lane.Hold(child);
        }

        base.AroundPostRestart(cause, message);
    }

    private (Directive, long) Decide(IActorRef child, Exception failure)
    {
        var decision = DecideFor(child, failure);
        Lane.FailureDecided(child, decision.Item1);
        return decision;
    }

    private (Directive, long) DecideFor(IActorRef child, Exception failure)
    {
        string device = child.Path.Name;
        if (_supervision.Faults is FaultSites plan && failure is InjectedCrashException && plan.TakeIopmCrash(_iopm.Name))
        {
            Site("").Record("crash", $"an IOPM-wide rule fired at {device}: the whole IOPM fails");
            return (Directive.Escalate, 0);
        }

        if (!_windows.TryGetValue(device, out var window))
        {
            window = _supervision.NewWindow();
            _windows[device] = window;
        }

        if (window.TryRestart(VirtualClock.Nanoseconds(Context.System.Scheduler)) is not { } backoff)
        {
            Site(device).Record("escalate", $"past its budget of {_supervision.MaxRestarts} restarts within {Scenario.Checks.FormatNs(_supervision.RestartWindowNs)}: the IOPM fails ({failure.Message})");
            return (Directive.Escalate, 0);
        }

        // In parallel runs a suspended back-end would hold counted messages that the driver waits for before it moves time: no wait there.
        backoff = Lane.Parallel ? 0 : backoff;
        _supervision.Statistics.BackendRestarted(device);
        string cause = failure is ActorKilledException ? "killed by an injected crash" : failure.Message;
        Site(device).Record("backoff", $"restart {window.Recent} of {_supervision.MaxRestarts} in {Scenario.Checks.FormatNs(backoff)} ({cause})");
        return (Directive.Restart, backoff);
    }

    /// <summary>A strike from the timeline or the command line: crash the IOPM or some of its back-ends now, or hang the back-ends at their next request.</summary>
    private void OnInject(InjectIopmFault inject)
    {
        if (inject.Effect is not (FaultEffect.Crash or FaultEffect.Hang))
        {
            Site(inject.Device ?? "").Record("refused", $"{inject.Rule}: only crash and hang strike at a time ({inject.Effect} strikes at fault points)");
            return;
        }

        if (inject.Device is null && inject.Effect == FaultEffect.Crash)
        {
            Site("").Record("crash", $"injected crash of the IOPM ({inject.Rule})");
            throw new InjectedCrashException($"injected crash of IOPM {_iopm.Name} ({inject.Rule})");
        }

        var children = Context.GetChildren().Where(c => inject.Device is null || Glob.Matches(inject.Device, c.Path.Name)).ToList();
        if (children.Count == 0)
        {
            Site(inject.Device ?? "").Record("missed", $"{inject.Rule}: no back-end of the IOPM matches {inject.Device ?? "*"}");
            return;
        }

        foreach (var child in children.OrderBy(c => c.Path.Name, StringComparer.Ordinal))
        {
            string device = child.Path.Name;
            if (inject.Effect == FaultEffect.Crash)
            {
                Site(device).Record("crash", $"injected crash of the back-end ({inject.Rule})");
                Lane.Tell(child, new StrikeBackend(inject.Rule));
            }
            else if (_supervision.Faults is FaultSites plan)
            {
                Site(device).Record("hang", $"the back-end hangs at its next request ({inject.Rule})");
                plan.Arm(_iopm.Name, device, FaultEffect.Hang, inject.Rule);
            }
        }
    }

    private void OnAttach(AttachDevice attach)
    {
        var iopm = _iopm;
        var lane = Lane;
        var key = attach.Plan.Key;
        var backend = attach.Backend;
        bool takenOver = attach.TakenOver;
        long watchdogNs = _supervision.WatchdogNs;
        var site = Site(key.Name);
        if (backend is IRecoverableBackend recoverable)
        {
            recoverable.Faults = site;
        }

        // The device's parts outlive its actor's restarts (the props' closure gives them to every incarnation).
        var doorbell = new DeviceDoorbell(iopm.Load, lane);
        var xenbus = new XenBusBackend(iopm, key, backend, doorbell.Ring);
        if (backend is IRequestsService asks)
        {
            // A back-end with work of its own (a frame the switch delivered to a vif) asks for a service call the same way.
            asks.ServiceRequested = doorbell.Ring;
        }

        iopm.Load.Add(key, backend.Counters);
        var child = Context.ActorOf(lane.Place(Props.Create(() => new DeviceActor(iopm, xenbus, doorbell, site, takenOver, lane, watchdogNs))), key.Name);
        doorbell.Actor = child;
        lane.Tell(child, StartDevice.Instance);
    }

    private void OnStoreEvents()
    {
        var tokens = _iopm.Store.Use(store =>
        {
            var taken = new List<string>();
            while (store.TryTakeEvent(_iopm.DomId, out var watchEvent))
            {
                taken.Add(watchEvent.Token);
            }

            return taken;
        });
        foreach (var token in tokens)
        {
            var child = Context.Child(token);
            if (!child.IsNobody())
            {
                Lane.Tell(child, FrontendStateChanged.Instance);
            }
        }
    }
}
