using ActorVisor.Devices.Backends;

namespace ActorVisor.Host.Iopm;

/// <summary>The hypervisor asks an IOPM to serve a device: a child actor hosts <paramref name="Backend"/> and starts its XenBus half.</summary>
/// <param name="TakenOver">The device moved here from another IOPM: wait for the front-end to publish again.</param>
public sealed record AttachDevice(DevicePlan Plan, IDeviceBackend Backend, bool TakenOver);

/// <summary>The hypervisor asks an IOPM to stop serving a device (its domain is destroyed, or the device moves).</summary>
public sealed record DetachDevice(DeviceKey Key);

/// <summary>The store queued watch events for the IOPM's domain: take them and pass each to the device its token names.</summary>
public sealed class StoreEventsQueued
{
    public static readonly StoreEventsQueued Instance = new();
}

/// <summary>An injected crash of one back-end: its actor fails on it (as Akka's Kill would, but counted, so that in parallel runs the driver waits for the supervisor's decision).</summary>
public sealed record StrikeBackend(string Rule);

/// <summary>A device actor starts its XenBus half (publishes InitWait and watches the front-end).</summary>
public sealed class StartDevice
{
    public static readonly StartDevice Instance = new();
}

/// <summary>A back-end's hold-back time (an injected delay) is over: it carries on with the work held back.</summary>
public sealed class ResumeHeldWork
{
    public static readonly ResumeHeldWork Instance = new();
}

/// <summary>The watchdog's period is over: a back-end still with work unanswered and no progress since it was armed is restarted.</summary>
public sealed record WatchdogCheck(long Progress);

/// <summary>A restarted device actor takes up its device again (<see cref="XenBusBackend.Recover"/>).</summary>
public sealed class RecoverDevice
{
    public static readonly RecoverDevice Instance = new();
}

/// <summary>The front-end sent on one of the device's channels (the hypervisor routed the guest's notification here).</summary>
public sealed class FrontendNotified
{
    public static readonly FrontendNotified Instance = new();
}

/// <summary>The watch on the front-end's state fired.</summary>
public sealed class FrontendStateChanged
{
    public static readonly FrontendStateChanged Instance = new();
}

/// <summary>
/// The hypervisor moves a device: the IOPM's device actor ends its connection and its watch, then
/// sends <paramref name="Attach"/> (the same back-end) to the IOPM <paramref name="To"/> and stops.
/// </summary>
public sealed record HandOverDevice(DeviceKey Key, Akka.Actor.IActorRef To, AttachDevice Attach);

/// <summary>
/// The timeline or the command line breaks something on purpose, now: the whole IOPM
/// <paramref name="Iopm"/> when <paramref name="Device"/> is null, otherwise that device actor of it
/// (its name, e.g. <c>vbd-3-51712</c>). The hypervisor routes it to the IOPM;
/// <paramref name="Rule"/> names the plan's rule for the timeline.
/// </summary>
public sealed record InjectIopmFault(string Iopm, string? Device, ActorVisor.Devices.Faults.FaultEffect Effect, string Rule);
