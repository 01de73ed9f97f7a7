using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Memory;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

public sealed class GrantMappingTests : IDisposable
{
    private readonly Machine _machine = Machine.WithMegabytes(96);
    private readonly TestDomainHost _host = new();

    public GrantMappingTests()
    {
        Granter = Build(new DomId(1));
        Grantee = Build(new DomId(2));
    }

    private PvDomain Granter { get; }

    private PvDomain Grantee { get; }

    private PvDomain Build(DomId id)
    {
        var image = XenElfLoader.Parse(GuestImages.Load("x86_64", "hello")).Image!;
        var built = DomainBuilder.Build(_machine, image, DomainConfig.WithMegabytes(id, 16)).Domain!;
        var domain = new PvDomain(_machine, built, _host);
        _host.Add(domain);
        return domain;
    }

    public void Dispose() => _machine.Dispose();

    private static ulong Scratch(PvDomain d) => d.Built.Layout.StackVa + 4096;

    private ulong GrantOnePage(uint gref, DomId to)
    {
        Assert.Equal(GrantStatus.Okay, Granter.Grants.SetupTable(1, out var frames));
        ulong page = Granter.Built.P2m[(int)Granter.Built.Layout.PfnOf(Scratch(Granter))];
        var entry = _machine.Memory.Frame(frames[0]).Slice((int)gref * 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], to.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)page);
        BinaryPrimitives.WriteUInt16LittleEndian(entry, GrantFlags.PermitAccess);
        return page;
    }

    private long MapOp(ulong op, ulong hostAddress, uint gref, DomId from, uint flags = GrantMapFlags.HostMap)
    {
        var vcpu = Grantee.Vcpus[0];
        var bytes = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, hostAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), gref);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(16), from.Value);
        Assert.True(vcpu.GuestMemory.TryWrite(op, bytes));
        return vcpu.InvokeHypercall(HypercallNumber.GrantTableOp, (ulong)GrantTableOp.MapGrantRef, op, 1);
    }

    /// <summary>Unmaps <paramref name="handle"/> at <paramref name="hostAddress"/> with one unmap_grant_ref op at <paramref name="op"/>; returns the op's status.</summary>
    private short UnmapOp(ulong op, ulong hostAddress, uint handle)
    {
        var vcpu = Grantee.Vcpus[0];
        var unmap = new byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(unmap, hostAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(unmap.AsSpan(16), handle);
        Assert.True(vcpu.GuestMemory.TryWrite(op, unmap));
        Assert.Equal(0, vcpu.InvokeHypercall(HypercallNumber.GrantTableOp, (ulong)GrantTableOp.UnmapGrantRef, op, 1));
        Assert.True(vcpu.GuestMemory.TryReadU32(op + 20, out var status));
        return (short)status;
    }

    [Fact]
    public void A_host_grant_mapping_is_installed_refuses_ordinary_overwrites_and_unmaps_cleanly()
    {
        ulong page = GrantOnePage(10, Grantee.Id);
        var vcpu = Grantee.Vcpus[0];
        ulong op = Scratch(Grantee);
        ulong host = op + (4 * 4096);
        var before = _machine.Frames[page];

        Assert.Equal(0, MapOp(op, host, 10, Granter.Id));
        Assert.True(vcpu.GuestMemory.TryReadU32(op + 16, out var statusWord));
        Assert.Equal(0, (short)(statusWord >> 16));
        Assert.True(vcpu.GuestMemory.TryReadU32(op + 20, out var handle));
        Assert.True(GuestPageWalk.TryTranslate(_machine.Memory, GuestWidth.Bits64, vcpu.Mmu.KernelRootMfn, host, write: true, out var ma));
        Assert.Equal(page, ma >> 12);

        long overwrite = vcpu.InvokeHypercall(HypercallNumber.UpdateVaMapping, host, 0, 0);
        Assert.Equal(-22, overwrite);

        Assert.Equal(0, UnmapOp(op + 64, host, handle));
        Assert.False(GuestPageWalk.TryTranslate(_machine.Memory, GuestWidth.Bits64, vcpu.Mmu.KernelRootMfn, host, write: false, out _));
        Assert.Equal(before, _machine.Frames[page]);
    }

    [Fact]
    public void A_grant_mapping_given_as_the_machine_address_of_its_pte_is_installed_and_removed_there()
    {
        ulong page = GrantOnePage(10, Grantee.Id);
        var vcpu = Grantee.Vcpus[0];
        ulong op = Scratch(Grantee);
        ulong host = op + (4 * 4096);
        Assert.Equal(PageTableError.None, GuestPageWalk.FindL1Slot(_machine.Memory, GuestWidth.Bits64, vcpu.Mmu.KernelRootMfn, host, out var l1, out var slot));
        ulong pte = (l1 << 12) + ((ulong)slot * 8);
        var before = _machine.Frames[page];

        Assert.Equal(0, MapOp(op, pte, 10, Granter.Id, GrantMapFlags.HostMap | GrantMapFlags.ContainsPte));

        Assert.True(vcpu.GuestMemory.TryReadU32(op + 16, out var statusWord));
        Assert.Equal(0, (short)(statusWord >> 16));
        Assert.True(vcpu.GuestMemory.TryReadU32(op + 20, out var handle));
        Assert.True(GuestPageWalk.TryTranslate(_machine.Memory, GuestWidth.Bits64, vcpu.Mmu.KernelRootMfn, host, write: true, out var ma));
        Assert.Equal(page, ma >> 12);

        Assert.Equal(0, UnmapOp(op + 64, pte, handle));
        Assert.False(GuestPageWalk.TryTranslate(_machine.Memory, GuestWidth.Bits64, vcpu.Mmu.KernelRootMfn, host, write: false, out _));
        Assert.Equal(before, _machine.Frames[page]);
    }

    [Fact]
    public void A_pte_address_outside_the_domains_l1_tables_is_refused_and_takes_no_reference()
    {
        ulong page = GrantOnePage(10, Grantee.Id);
        ulong op = Scratch(Grantee);
        ulong dataPage = Grantee.Built.P2m[(int)Grantee.Built.Layout.PfnOf(op)];
        var before = _machine.Frames[page];

        Assert.Equal(0, MapOp(op, (dataPage << 12) + 64, 10, Granter.Id, GrantMapFlags.HostMap | GrantMapFlags.ContainsPte));

        Assert.True(Grantee.Vcpus[0].GuestMemory.TryReadU32(op + 16, out var statusWord));
        Assert.Equal((short)GrantStatus.GeneralError, (short)(statusWord >> 16));
        Assert.Equal(before, _machine.Frames[page]);
        Assert.Equal(0, Granter.Grants.ReadEntry(10).Flags & (GrantFlags.Reading | GrantFlags.Writing));
    }

    [Fact]
    public void A_grant_map_of_a_frame_not_granted_is_refused_with_general_error_as_xen_does()
    {
        ulong page = GrantOnePage(10, new DomId(9));
        ulong op = Scratch(Grantee);
        var before = _machine.Frames[page];

        Assert.Equal(0, MapOp(op, op + (4 * 4096), 10, Granter.Id));

        Assert.True(Grantee.Vcpus[0].GuestMemory.TryReadU32(op + 16, out var statusWord));
        Assert.Equal((short)GrantStatus.GeneralError, (short)(statusWord >> 16));
        Assert.Equal(before, _machine.Frames[page]);
    }
}
