using System.Buffers.Binary;
using System.Globalization;
using ActorVisor.Abi;
using ActorVisor.Config;
using ActorVisor.Config.Domain;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Iopm;
using ActorVisor.Scheduler;
using ActorVisor.TestKit;
using Akka.Actor;

namespace ActorVisor.Host.Tests;

/// <summary>
/// The real block back-end (src/Devices/Block) in the default IOPM, on a raw image file: a front-end
/// acting as xen-blkfront does lays a blkif ring out in its own memory, grants it and a data page to
/// dom0, and writes then reads a sector through the ring; the bytes land in the host file.
/// </summary>
public sealed class IopmBlockTests : DeterministicTestKit
{
    private const int EntryBytes = 112;
    private readonly string _image = Path.Combine(Path.GetTempPath(), $"actorvisor-iopm-{Guid.NewGuid():N}.img");
    private readonly IActorRef _hypervisor;
    private readonly IopmReport _report = new();
    private HostStore? _store;
    private HostSeam? _seam;

    public IopmBlockTests()
        : base(seed: 5)
    {
        File.WriteAllBytes(_image, new byte[64 * 1024]);
        var options = new HypervisorOptions(new RoundRobinPolicy(1_000_000), new SchedulerOptions(1), 0, _ => { }, _ => { })
        {
            IopmReport = _report,
            DeviceDirectory = Path.GetDirectoryName(_image),
            Opened = (store, seam) => (_store, _seam) = (store, seam),
        };
        _hypervisor = Sys.ActorOf(Props.Create(() => new HypervisorActor(options)), "hypervisor");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        File.Delete(_image);
    }

    private object Ask(object message)
    {
        var reply = _hypervisor.Ask(message, TimeSpan.FromSeconds(1));
        Runtime.RunUntilIdle();
        Assert.True(reply.IsCompletedSuccessfully);
        return reply.Result;
    }

    private static DomainSpec Spec(string target, DiskAccess access) => new(
        "fe", DomainType.Pv, "idle.elf", null, "", 16L << 20, 16L << 20, 1, new SchedulerParameters(256, 0),
        [new DiskSpec(target, DiskFormat.Raw, "xvda", access, DiskDeviceType.Disk, null)], [],
        LifecycleAction.Destroy, LifecycleAction.Destroy, LifecycleAction.Destroy, new ConfigOrigin("<test>", 1, 1));

    /// <summary>Puts a one-segment request in slot <paramref name="slot"/> of the ring at <paramref name="ring"/> and publishes it.</summary>
    private static void Request(GuestFrontend fe, ulong ring, uint slot, byte operation, ulong id, ulong sector, uint gref)
    {
        var entry = new byte[EntryBytes];
        entry[0] = operation;
        entry[1] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(2), 51712);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(8), id);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(16), sector);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(24), gref);
        entry[28] = 0;
        entry[29] = 0;
        Assert.True(fe.Domain.Vcpus[0].GuestMemory.TryWrite(ring + 64 + (slot * EntryBytes), entry));
        fe.WriteU32(ring, slot + 1);
    }

    private static (ulong Id, byte Operation, short Status) Response(GuestFrontend fe, ulong ring, uint slot)
    {
        var bytes = new byte[16];
        Assert.True(fe.Domain.Vcpus[0].GuestMemory.TryRead(ring + 64 + (slot * EntryBytes), bytes));
        return (BinaryPrimitives.ReadUInt64LittleEndian(bytes), bytes[8], BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(10)));
    }

    [Fact]
    public void Linux_style_blkfront_writes_and_reads_a_sector_of_the_image_through_a_ring_in_guest_memory()
    {
        var created = Assert.IsType<Created>(Ask(new Create(Spec(Path.GetFileName(_image), DiskAccess.ReadWrite), Repository.ReadKernel("x86_64", "idle"))));
        var fe = new GuestFrontend(_seam!.FindPeer(new DomId((ushort)created.DomainId))!, _store!);
        string front = $"/local/domain/{created.DomainId}/device/vbd/51712";
        string back = $"/local/domain/0/backend/vbd/{created.DomainId}/51712";
        Assert.Equal("2", fe.Read($"{back}/state"));
        Assert.Equal("128", fe.Read($"{back}/sectors"));
        Assert.Equal("1", fe.Read($"{back}/feature-flush-cache"));

        ulong ring = fe.Page(0), data = fe.Page(1), readBack = fe.Page(2);
        fe.WriteU32(ring + 4, 1);
        fe.WriteU32(ring + 12, 1);
        fe.Grant(8, 0, ring);
        fe.Grant(9, 0, data, readOnly: true);
        fe.Grant(10, 0, readBack);
        var sector = Enumerable.Range(0, 512).Select(i => (byte)(i * 7)).ToArray();
        Assert.True(fe.Domain.Vcpus[0].GuestMemory.TryWrite(data, sector));
        long port = fe.AllocUnbound(0);
        fe.Write($"{front}/ring-ref", "8");
        fe.Write($"{front}/event-channel", port.ToString(CultureInfo.InvariantCulture));
        fe.Write($"{front}/protocol", "x86_64-abi");
        fe.Write($"{front}/state", "3");
        Runtime.RunUntilIdle();
        Assert.Equal("4", fe.Read($"{back}/state"));

        Request(fe, ring, 0, operation: 1, id: 77, sector: 3, gref: 9);
        fe.Send((uint)port);
        Runtime.RunUntilIdle();
        Assert.Equal((77UL, (byte)1, (short)0), Response(fe, ring, 0));
        Assert.Equal(sector, File.ReadAllBytes(_image).AsSpan(3 * 512, 512).ToArray());

        Request(fe, ring, 1, operation: 0, id: 78, sector: 3, gref: 10);
        fe.Send((uint)port);
        Runtime.RunUntilIdle();
        Assert.Equal((78UL, (byte)0, (short)0), Response(fe, ring, 1));
        var read = new byte[512];
        Assert.True(fe.Domain.Vcpus[0].GuestMemory.TryRead(readBack, read));
        Assert.Equal(sector, read);
        Assert.Equal(2u, fe.ReadU32(ring + 8));
        Assert.True(fe.Domain.Events.IsPending((uint)port));

        // A write through the read-only grant's page as the destination of a read is refused by the grant check.
        Request(fe, ring, 2, operation: 0, id: 79, sector: 0, gref: 9);
        fe.Send((uint)port);
        Runtime.RunUntilIdle();
        Assert.Equal((79UL, (byte)0, (short)-1), Response(fe, ring, 2));
        var iopm = _report.Snapshot().Single();
        Assert.Equal((3L, 1L, 1024L), (iopm.Requests, iopm.Errors, iopm.Bytes)); // the refused request counts as a request and an error
    }

    [Fact]
    public void A_missing_image_refuses_the_build_naming_the_disk_and_the_path()
    {
        var refused = Assert.IsType<NotAllowed>(Ask(new Create(Spec("no-such.img", DiskAccess.ReadWrite), Repository.ReadKernel("x86_64", "idle"))));

        Assert.Contains("disk xvda: image ", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("no-such.img: no such file", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(Assert.IsType<DomainsListed>(Ask(new ListDomains())).Domains);
    }
}
