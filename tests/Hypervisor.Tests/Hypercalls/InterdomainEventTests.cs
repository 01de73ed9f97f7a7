using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

/// <summary>An event channel between two domains on one machine, made and used with event_channel_op.</summary>
public sealed class InterdomainEventTests : IDisposable
{
    private readonly Machine _machine = Machine.WithMegabytes(96);
    private readonly TestDomainHost _host = new();

    public void Dispose() => _machine.Dispose();

    private PvDomain Build(string arch, DomId id, bool privileged = false)
    {
        var image = XenElfLoader.Parse(GuestImages.Load(arch, "hello")).Image!;
        var built = DomainBuilder.Build(_machine, image, DomainConfig.WithMegabytes(id, 16) with { IsPrivileged = privileged }).Domain!;
        var domain = new PvDomain(_machine, built, _host);
        _host.Add(domain);
        return domain;
    }

    private static ulong Scratch(PvDomain d) => d.Built.Layout.StackVa + 4096;

    private static long EventOp(PvDomain d, EventChannelOp op, ReadOnlySpan<byte> argument)
    {
        Assert.True(d.Vcpus[0].GuestMemory.TryWrite(Scratch(d), argument));
        return d.Vcpus[0].InvokeHypercall(HypercallNumber.EventChannelOp, (ulong)op, Scratch(d));
    }

    private static uint ReadU32(PvDomain d, int offset)
    {
        Assert.True(d.Vcpus[0].GuestMemory.TryReadU32(Scratch(d) + (ulong)offset, out var value));
        return value;
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void A_64_bit_domain_offers_a_port_and_another_domain_binds_and_signals_it(string arch)
    {
        var backend = Build("x86_64", new DomId(1));
        var frontend = Build(arch, new DomId(2));
        var alloc = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(alloc, DomId.Self.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(alloc.AsSpan(2), 2);
        Assert.Equal(0, EventOp(backend, EventChannelOp.AllocUnbound, alloc));
        uint offered = ReadU32(backend, 4);

        var bind = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(bind, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bind.AsSpan(4), offered);
        Assert.Equal(0, EventOp(frontend, EventChannelOp.BindInterdomain, bind));
        uint bound = ReadU32(frontend, 8);
        Assert.True(frontend.Events.IsPending(bound));

        var send = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(send, bound);
        Assert.False(backend.Events.IsPending(offered));
        Assert.Equal(0, EventOp(frontend, EventChannelOp.Send, send));

        Assert.True(backend.Events.IsPending(offered));
        Assert.Equal(-3, EventOp(frontend, EventChannelOp.BindInterdomain, [9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void Only_a_privileged_domain_reads_the_status_of_another_domains_port()
    {
        var control = Build("x86_64", new DomId(1), privileged: true);
        var guest = Build("x86_64", new DomId(2));
        Assert.Equal(EventChannelError.None, guest.Events.AllocUnbound(new DomId(1), out var offered));
        var status = new byte[24];
        BinaryPrimitives.WriteUInt16LittleEndian(status, 2);
        BinaryPrimitives.WriteUInt32LittleEndian(status.AsSpan(4), offered);

        Assert.Equal(0, EventOp(control, EventChannelOp.Status, status));
        Assert.Equal((uint)EvtchnStatus.Unbound, ReadU32(control, 8));
        Assert.Equal(1u, ReadU32(control, 16) & 0xFFFF);

        BinaryPrimitives.WriteUInt16LittleEndian(status, 1);
        Assert.Equal(-1, EventOp(guest, EventChannelOp.Status, status));
        BinaryPrimitives.WriteUInt16LittleEndian(status, 44);
        Assert.Equal(-3, EventOp(guest, EventChannelOp.Status, status));
    }
}
