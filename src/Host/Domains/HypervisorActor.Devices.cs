using ActorVisor.Abi;
using ActorVisor.Config.Domain;
using ActorVisor.Config.Scenario;
using ActorVisor.Devices.Backends;
using ActorVisor.Host.Iopm;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>
/// The hypervisor as toolstack for split devices. IOPMs are driver domains: the first configured
/// IOPM is domain 0 (Xen's default backend-id, the control domain serving back-ends), the others
/// take the next ids of the pool when the hypervisor starts, before any guest, and all are
/// registered with the machine so that guests may allocate ports for them. For each disk and vif of
/// a domain being built it plans the device (vbd number from the vdev, vif index), picks the IOPM
/// (<see cref="IopmPlacement"/>) and makes the back-end; after the build it writes the XenBus
/// directories (<see cref="XenBusToolstack"/>) and hands the device to the IOPM's actor. Retiring
/// the domain detaches its devices and removes their back-end directories. Watch events queued for
/// an IOPM's domain are passed to its actor.
/// </summary>
public sealed partial class HypervisorActor
{
    private readonly List<IopmSlot> _iopms = [];
    private readonly Dictionary<int, List<(DevicePlan Plan, IopmSlot Iopm, IDeviceBackend Backend)>> _devicesByDomain = [];
    private IopmLane _lane = null!;
    private DeviceBackendFactory _devices = null!;
    private HostStore _hostStore = null!;

    /// <summary>The default IOPM when a scenario configures none: one driver domain serving every class.</summary>
    public static IopmSpec DefaultIopm { get; } = new("iopm0", [BackendKind.Console, BackendKind.Block, BackendKind.Net], 3, 10_000_000_000);

    private void StartIopms()
    {
        _lane = new IopmLane(_options.Cpus, Context.System);
        _devices = _options.Devices ?? new DeviceBackends().Create;
        _hostStore = new HostStore(_store, _storeLock, PostStoreDelivery);
        _options.Opened?.Invoke(_hostStore, _seam);
        var specs = _options.Iopms is { Count: > 0 } configured ? configured : [DefaultIopm];
        for (int i = 0; i < specs.Count; i++)
        {
            int id = i == 0 ? 0 : _nextId++;
            var context = new IopmContext(specs[i].Name, id, _seam, _machine, _hostStore);
            _machine.RegisterDriverDomain(context.DomId);
            var slot = new IopmSlot(specs[i], context);
            _iopms.Add(slot);
            _options.IopmReport?.Add(slot);
        }
    }

    private void StopIopms()
    {
        foreach (var slot in _iopms)
        {
            _machine.UnregisterDriverDomain(slot.Context.DomId);
        }
    }

    /// <summary>Plans the devices of a domain about to be built as <paramref name="id"/> and makes their back-ends; the reason when one is refused.</summary>
    private string? PlanDevices(DomainSpec spec, int id, out List<(DevicePlan Plan, IopmSlot Iopm, IDeviceBackend Backend)> devices)
    {
        devices = [];
        var plans = new List<DevicePlan>();
        foreach (var disk in spec.Disks)
        {
            if (VbdNumbering.DevId(disk.Vdev) is not { } devid)
            {
                return $"disk {disk.Vdev}: not a virtual-device name (xvda, xvdb, ..., hda, sda or a number)";
            }

            plans.Add(new DevicePlan(new DeviceKey(DeviceClass.Vbd, id, devid), disk.Vdev, disk, null));
        }

        for (int n = 0; n < spec.Vifs.Count; n++)
        {
            plans.Add(new DevicePlan(new DeviceKey(DeviceClass.Vif, id, n), $"vif{n}", null, spec.Vifs[n]));
        }

        var assigned = new List<(IopmSlot Iopm, BackendKind Kind)>();
        foreach (var plan in plans)
        {
            var iopm = IopmPlacement.Choose(_iopms, plan.Class, plan.RequestedIopm, out var placementError);
            if (iopm is null)
            {
                DisposeAll(devices);
                return $"{plan.FrontendName}: {placementError}";
            }

            var made = _devices(plan, _options.DeviceDirectory ?? Directory.GetCurrentDirectory());
            if (made.Backend is null)
            {
                DisposeAll(devices);
                return made.Error ?? $"{plan.FrontendName}: no back-end";
            }

            devices.Add((plan, iopm, made.Backend));
            iopm.Assign(IopmPlacement.KindOf(plan.Class)); // counted at once, so that the next device of this domain sees it
            assigned.Add((iopm, IopmPlacement.KindOf(plan.Class)));
        }

        foreach (var (iopm, kind) in assigned)
        {
            iopm.Assign(kind, -1); // given back: AttachDevices counts them again once the domain is built
        }

        return null;
    }

    private static void DisposeAll(List<(DevicePlan Plan, IopmSlot Iopm, IDeviceBackend Backend)> devices)
    {
        foreach (var device in devices)
        {
            DeviceBackends.Release(device.Backend);
        }
    }

    /// <summary>Writes the devices' XenBus directories and hands each to its IOPM (after the domain's store directory exists).</summary>
    private void AttachDevices(int id, List<(DevicePlan Plan, IopmSlot Iopm, IDeviceBackend Backend)> devices)
    {
        if (devices.Count == 0)
        {
            return;
        }

        foreach (var (plan, iopm, backend) in devices)
        {
            _hostStore.Use(store => XenBusToolstack.Create(store, plan, iopm.Context.Id));
            Attach(iopm, plan, backend);
        }

        _devicesByDomain[id] = devices;
    }

    private void Attach(IopmSlot iopm, DevicePlan plan, IDeviceBackend backend)
    {
        iopm.Assign(IopmPlacement.KindOf(plan.Class));
        iopm.DevicesServed++;
        _lane.Tell(ActorOf(iopm), new AttachDevice(plan, backend, TakenOver: false));
    }

    /// <summary>The IOPM's actor, made with its first device (and its store directory, for an IOPM that is not domain 0).</summary>
    private IActorRef ActorOf(IopmSlot iopm)
    {
        if (iopm.Actor is { } existing)
        {
            return existing;
        }

        var context = iopm.Context;
        var lane = _lane;
        var supervision = new IopmSupervision(iopm.Spec.MaxRestarts, iopm.Spec.RestartWindowNs, _options.Faults ?? ActorVisor.Devices.Faults.NoFaultSites.Instance, iopm.Restarts, iopm.Spec.WatchdogNs);
        if (context.Id != 0)
        {
            _hostStore.Use(store => XenBusToolstack.IntroduceDriverDomain(store, context.Id, context.Name));
        }

        iopm.Actor = Context.ActorOf(lane.Place(Props.Create(() => new IopmActor(context, lane, supervision))), $"iopm-{context.Name}");
        return iopm.Actor;
    }

    /// <summary>Stops serving a retired domain's devices and removes their back-end directories (the front-end's go with its home).</summary>
    private void DetachDevices(int id)
    {
        if (!_devicesByDomain.Remove(id, out var devices))
        {
            return;
        }

        foreach (var (plan, iopm, _) in devices)
        {
            Detach(iopm, plan);
        }
    }

    private void Detach(IopmSlot iopm, DevicePlan plan)
    {
        iopm.Assign(IopmPlacement.KindOf(plan.Class), -1);
        if (iopm.Actor is { } actor)
        {
            _lane.Tell(actor, new DetachDevice(plan.Key));
        }

        _hostStore.Use(store => XenBusToolstack.RemoveBackend(store, plan.Key, iopm.Context.Id));
    }

    private void OnMoveDevice(MoveDevice move)
    {
        var record = Find(move.Domain);
        if (record is null || !DomainLifecycle.IsLive(record.State) || !_devicesByDomain.TryGetValue(record.Id, out var devices))
        {
            Sender.Tell(new NotAllowed($"cannot move {move.Device} of {move.Domain}: {(record is null ? "no such domain" : "it has no live devices")}"), Self);
            return;
        }

        int at = devices.FindIndex(d => d.Plan.FrontendName == move.Device);
        var target = _iopms.FirstOrDefault(i => i.Spec.Name == move.ToIopm);
        string? refusal = at < 0 ? $"{move.Domain} has no device {move.Device}"
            : target is null ? $"no IOPM {move.ToIopm}"
            : ReferenceEquals(target, devices[at].Iopm) ? $"{move.Device} is served by {move.ToIopm} already"
            : !target.Serves(IopmPlacement.KindOf(devices[at].Plan.Class)) ? $"IOPM {move.ToIopm} does not serve {devices[at].Plan.Key.ClassName} devices"
            : null;
        if (refusal is not null)
        {
            Sender.Tell(new NotAllowed($"cannot move {move.Device} of {move.Domain}: {refusal}"), Self);
            return;
        }

        MoveTo(devices, at, target!);
        Sender.Tell(new DeviceMoved(move.Domain, move.Device, target!.Spec.Name, target.Context.Id), Self);
    }

    /// <summary>Moves one device of a domain to <paramref name="target"/>: its back-end directory there, the front-end repointed, the old IOPM's device actor handing the same back-end on.</summary>
    private void MoveTo(List<(DevicePlan Plan, IopmSlot Iopm, IDeviceBackend Backend)> devices, int at, IopmSlot target)
    {
        var (plan, from, backend) = devices[at];
        _hostStore.Use(store =>
        {
            XenBusToolstack.RemoveBackend(store, plan.Key, from.Context.Id);
            XenBusToolstack.CreateBackend(store, plan, target.Context.Id);
            XenBusToolstack.Repoint(store, plan.Key, target.Context.Id);
        });
        from.Assign(IopmPlacement.KindOf(plan.Class), -1);
        target.Assign(IopmPlacement.KindOf(plan.Class));
        target.DevicesServed++;

        // The old IOPM's device actor ends the connection, then hands the same back-end on: the new one starts only after the old one let go.
        _lane.Tell(ActorOf(from), new HandOverDevice(plan.Key, ActorOf(target), new AttachDevice(plan, backend, TakenOver: true)));
        devices[at] = (plan, target, backend);
    }

    /// <summary>True when <paramref name="domain"/> is an IOPM's id; its queued watch events are then passed to the IOPM's actor.</summary>
    private bool DeliverToIopm(DomId domain)
    {
        var iopm = _iopms.FirstOrDefault(i => i.Context.DomId == domain);
        if (iopm?.Actor is not { } actor)
        {
            return iopm is not null;
        }

        _lane.Tell(actor, StoreEventsQueued.Instance);
        return true;
    }
}
