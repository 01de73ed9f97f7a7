using System.Globalization;
using ActorVisor.Abi;
using ActorVisor.Config;
using ActorVisor.Config.Domain;
using ActorVisor.Config.Scenario;
using ActorVisor.Devices.Backends;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Iopm;
using ActorVisor.Hypervisor.Store;
using ActorVisor.Scheduler;
using ActorVisor.TestKit;
using Akka.Actor;

namespace ActorVisor.Host.Tests;

/// <summary>
/// Devices of a real domain served by IOPMs in the actor tree, under the deterministic dispatcher:
/// the toolstack's XenBus directories and permissions, the back-end's state walk against a
/// front-end that acts as a guest does (its own hypercalls, grant table and store accesses), a
/// request through a ring page in the guest's memory, disconnect, teardown, placement, and a
/// device moved to another IOPM.
/// </summary>
public sealed class IopmXenBusTests : DeterministicTestKit
{
    private readonly IActorRef _hypervisor;
    private readonly List<DoublingRingBackend> _backends = [];
    private readonly IopmReport _report = new();
    private HostStore? _store;
    private HostSeam? _seam;

    public IopmXenBusTests()
        : base(seed: 3)
    {
        IopmSpec[] iopms =
        [
            new("first", [BackendKind.Block, BackendKind.Net], 3, 10_000_000_000),
            new("spare", [BackendKind.Block, BackendKind.Net], 3, 10_000_000_000),
        ];
        var options = new HypervisorOptions(new RoundRobinPolicy(1_000_000), new SchedulerOptions(1), 0, _ => { }, _ => { })
        {
            Iopms = iopms,
            Devices = (plan, _) =>
            {
                var backend = new DoublingRingBackend(plan.Class);
                _backends.Add(backend);
                return DeviceBackendResult.Of(backend);
            },
            IopmReport = _report,
            Opened = (store, seam) => (_store, _seam) = (store, seam),
        };
        _hypervisor = Sys.ActorOf(Props.Create(() => new HypervisorActor(options)), "hypervisor");
    }

    private static DiskSpec Disk(string vdev, string? backend = null) => new($"{vdev}.img", DiskFormat.Raw, vdev, DiskAccess.ReadWrite, DiskDeviceType.Disk, backend);

    private static VifSpec Vif(string? backend) => new("00:16:3e:00:00:07", "xenbr0", null, backend, null, null, null, null);

    private static DomainSpec Spec(string name, IReadOnlyList<DiskSpec> disks, IReadOnlyList<VifSpec> vifs) => new(
        name, DomainType.Pv, "idle.elf", null, "", 16L << 20, 16L << 20, 1, new SchedulerParameters(256, 0), disks, vifs,
        LifecycleAction.Destroy, LifecycleAction.Destroy, LifecycleAction.Destroy, new ConfigOrigin("<test>", 1, 1));

    private object Ask(object message)
    {
        var reply = _hypervisor.Ask(message, TimeSpan.FromSeconds(1));
        Runtime.RunUntilIdle();
        Assert.True(reply.IsCompletedSuccessfully);
        return reply.Result;
    }

    private GuestFrontend CreateGuest(string name, IReadOnlyList<DiskSpec> disks, IReadOnlyList<VifSpec>? vifs = null)
    {
        var created = Assert.IsType<Created>(Ask(new Create(Spec(name, disks, vifs ?? []), Repository.ReadKernel("x86_64", "idle"))));
        Runtime.RunUntilIdle();
        return new GuestFrontend(_seam!.FindPeer(new DomId((ushort)created.DomainId))!, _store!);
    }

    private string? Peek(string path) => _store!.Use(s => s.Read(DomId.Dom0, 0, path, out var value) == StoreError.None ? System.Text.Encoding.ASCII.GetString(value) : null);

    private static string Front(GuestFrontend fe, int devid) => $"/local/domain/{fe.Id.Value}/device/vbd/{devid}";

    /// <summary>Does what xen-blkfront does once the back-end is in InitWait: grant the ring, allocate the port, publish, Initialised.</summary>
    private uint Publish(GuestFrontend fe, string front, uint gref = 8)
    {
        int backendId = int.Parse(fe.Read($"{front}/backend-id")!, CultureInfo.InvariantCulture);
        fe.Grant(gref, backendId, fe.Page(0));
        long port = fe.AllocUnbound(backendId);
        Assert.True(port > 0);
        Assert.Equal(StoreError.None, fe.Write($"{front}/ring-ref", gref.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(StoreError.None, fe.Write($"{front}/event-channel", port.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(StoreError.None, fe.Write($"{front}/state", "3"));
        Runtime.RunUntilIdle();
        return (uint)port;
    }

    [Fact]
    public void The_toolstack_writes_both_xenbus_directories_with_xl_permissions_and_the_back_end_waits_in_initwait()
    {
        var fe = CreateGuest("fe", [Disk("xvda")]);
        string front = Front(fe, 51712);
        string back = $"/local/domain/0/backend/vbd/{fe.Id.Value}/51712";

        Assert.Equal(back, fe.Read($"{front}/backend"));
        Assert.Equal("0", fe.Read($"{front}/backend-id"));
        Assert.Equal("1", fe.Read($"{front}/state"));
        Assert.Equal("51712", fe.Read($"{front}/virtual-device"));
        Assert.Equal("disk", fe.Read($"{front}/device-type"));
        Assert.Equal("2", fe.Read($"{back}/state"));
        Assert.Equal("w", fe.Read($"{back}/mode"));
        Assert.Equal("xvda.img", fe.Read($"{back}/params"));
        Assert.Equal(front, fe.Read($"{back}/frontend"));
        Assert.Equal(fe.Id.Value.ToString(CultureInfo.InvariantCulture), fe.Read($"{back}/frontend-id"));
        Assert.Equal("connected", fe.Read($"{back}/hotplug-status"));
        Assert.Equal("1", fe.Read($"{back}/feature-doubling"));

        var frontPerms = _store!.Use(s => s.GetPermissions(DomId.Dom0, 0, front, out var perms) == StoreError.None ? perms.ToArray() : []);
        var backPerms = _store!.Use(s => s.GetPermissions(DomId.Dom0, 0, back, out var perms) == StoreError.None ? perms.ToArray() : []);
        Assert.Equal([new StorePermission(fe.Id, StoreAccess.None), new StorePermission(DomId.Dom0, StoreAccess.Read)], frontPerms);
        Assert.Equal([new StorePermission(DomId.Dom0, StoreAccess.None), new StorePermission(fe.Id, StoreAccess.Read)], backPerms);
        Assert.Equal(StoreError.AccessDenied, fe.Write($"{back}/state", "4"));
        Assert.Equal("2", fe.Read($"{back}/state"));
    }

    [Fact]
    public void A_front_end_that_publishes_its_ring_is_connected_served_through_guest_memory_and_disconnected_on_closing()
    {
        var fe = CreateGuest("fe", [Disk("xvda")]);
        string front = Front(fe, 51712);
        string back = $"/local/domain/0/backend/vbd/{fe.Id.Value}/51712";

        uint port = Publish(fe, front);

        Assert.Equal("4", fe.Read($"{back}/state"));
        Assert.Equal(((uint)EvtchnStatus.Interdomain, (ushort)0, 1u), fe.Status(port));
        Assert.Equal(GrantFlags.Writing, fe.GrantFlagsOf(8) & GrantFlags.Writing);

        fe.WriteU32(fe.Page(0) + 64, 21);
        fe.WriteU32(fe.Page(0), 1);
        Assert.Equal(0, fe.Send(port));
        Assert.Equal(0u, fe.ReadU32(fe.Page(0) + 68));
        Runtime.RunUntilIdle();

        Assert.Equal(42u, fe.ReadU32(fe.Page(0) + 68));
        Assert.Equal(1u, fe.ReadU32(fe.Page(0) + 8));
        Assert.True(fe.Domain.Events.IsPending(port));
        Assert.Equal(1, _report.Snapshot()[0].Requests);

        fe.Write($"{front}/state", "5");
        Runtime.RunUntilIdle();
        Assert.Equal("5", fe.Read($"{back}/state"));
        Assert.Equal(1, _backends[0].Disconnects);
        Assert.Equal(0, fe.GrantFlagsOf(8) & (GrantFlags.Reading | GrantFlags.Writing));
        Assert.Equal(((uint)EvtchnStatus.Unbound, (ushort)0, 0u), fe.Status(port));
        fe.Write($"{front}/state", "6");
        Runtime.RunUntilIdle();
        Assert.Equal("6", fe.Read($"{back}/state"));
    }

    [Fact]
    public void Destroying_the_domain_disconnects_and_removes_the_back_end_directory()
    {
        var fe = CreateGuest("fe", [Disk("xvda")]);
        Publish(fe, Front(fe, 51712));
        Assert.Equal(1, _backends[0].Connects);

        Assert.IsType<Destroyed>(Ask(new Destroy("fe")));
        Runtime.RunUntilIdle();

        Assert.Null(Peek($"/local/domain/0/backend/vbd/{fe.Id.Value}/51712"));
        Assert.Null(Peek(Front(fe, 51712)));
        Assert.Equal(1, _backends[0].Disconnects);
        Assert.Equal(0, _report.Snapshot()[0].Devices);
    }

    [Fact]
    public void A_port_allocated_for_another_domain_is_refused_with_an_error_node_and_closing()
    {
        var fe = CreateGuest("fe", [Disk("xvda", backend: "first")]);
        string front = Front(fe, 51712);
        fe.Grant(8, 0, fe.Page(0));
        long wrongPort = fe.AllocUnbound(fe.Id.Value);
        fe.Write($"{front}/ring-ref", "8");
        fe.Write($"{front}/event-channel", wrongPort.ToString(CultureInfo.InvariantCulture));
        fe.Write($"{front}/state", "3");
        Runtime.RunUntilIdle();

        string back = $"/local/domain/0/backend/vbd/{fe.Id.Value}/51712";
        Assert.Equal("5", fe.Read($"{back}/state"));
        Assert.Contains("cannot be bound for dom0", fe.Read($"{back}/error"), StringComparison.Ordinal);
        Assert.Equal(0, _backends[0].Connects);
        Assert.Equal((uint)EvtchnStatus.Unbound, fe.Status((uint)wrongPort).Status);
    }

    [Fact]
    public void Devices_without_backend_are_spread_over_the_iopms_and_an_unknown_iopm_refuses_the_build()
    {
        var fe = CreateGuest("fe", [Disk("xvda"), Disk("xvdb")], [Vif("spare")]);

        Assert.Equal("0", fe.Read($"{Front(fe, 51712)}/backend-id"));
        Assert.Equal("1", fe.Read($"{Front(fe, 51728)}/backend-id"));
        Assert.Equal("1", fe.Read($"/local/domain/{fe.Id.Value}/device/vif/0/backend-id"));
        Assert.Equal("00:16:3e:00:00:07", fe.Read($"/local/domain/1/backend/vif/{fe.Id.Value}/0/mac"));
        Assert.Equal("2", fe.Read($"/local/domain/1/backend/vif/{fe.Id.Value}/0/state"));
        var iopms = _report.Snapshot();
        Assert.Equal([("first", 0, 1), ("spare", 1, 2)], iopms.Select(i => (i.Name, i.DomainId, i.Devices)));

        var refused = Assert.IsType<NotAllowed>(Ask(new Create(Spec("bad", [Disk("xvda", backend: "nowhere")], []), Repository.ReadKernel("x86_64", "idle"))));
        Assert.Contains("backend=nowhere names no IOPM", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_moved_to_another_iopm_is_served_there_on_the_same_ring_once_the_front_end_publishes_again()
    {
        var fe = CreateGuest("fe", [Disk("xvda", backend: "first")]);
        string front = Front(fe, 51712);
        uint port = Publish(fe, front);
        fe.WriteU32(fe.Page(0) + 64, 5);
        fe.WriteU32(fe.Page(0), 1);
        fe.Send(port);
        Runtime.RunUntilIdle();
        Assert.Equal(10u, fe.ReadU32(fe.Page(0) + 68));

        var moved = Assert.IsType<DeviceMoved>(Ask(new MoveDevice("fe", "xvda", "spare")));

        Assert.Equal(1, moved.IopmId);
        Assert.Equal("1", fe.Read($"{front}/backend-id"));
        Assert.Equal($"/local/domain/1/backend/vbd/{fe.Id.Value}/51712", fe.Read($"{front}/backend"));
        Assert.Null(Peek($"/local/domain/0/backend/vbd/{fe.Id.Value}/51712"));
        Assert.Equal("2", fe.Read($"/local/domain/1/backend/vbd/{fe.Id.Value}/51712/state"));
        Assert.Equal(1, _backends[0].Disconnects);
        Assert.Equal(((uint)EvtchnStatus.Unbound, (ushort)0, 0u), fe.Status(port));

        uint newPort = Publish(fe, front);
        Assert.True("4" == fe.Read($"/local/domain/1/backend/vbd/{fe.Id.Value}/51712/state"), $"backends {_backends.Count} connects {_backends[^1].Connects} error {Peek($"/local/domain/1/backend/vbd/{fe.Id.Value}/51712/error")} fe state {fe.Read($"{front}/state")}");
        Assert.Equal(((uint)EvtchnStatus.Interdomain, (ushort)1, 1u), fe.Status(newPort));
        fe.WriteU32(fe.Page(0) + 72, 100);
        fe.WriteU32(fe.Page(0), 2);
        fe.Send(newPort);
        Runtime.RunUntilIdle();

        Assert.Equal(200u, fe.ReadU32(fe.Page(0) + 76));
        Assert.Equal(2u, fe.ReadU32(fe.Page(0) + 8));
        Assert.Equal([1L, 1L], _report.Snapshot().Select(i => i.Requests));
        Assert.IsType<NotAllowed>(Ask(new MoveDevice("fe", "xvda", "spare")));
    }
}
