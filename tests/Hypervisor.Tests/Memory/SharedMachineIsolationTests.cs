using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Memory;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Boot;

namespace ActorVisor.Hypervisor.Tests.Memory;

/// <summary>
/// Two domains on one machine and one frame table: a domain's page tables reference only frames it
/// owns or was granted, with Xen's errno when it tries otherwise (get_page_from_l1e's -EBUSY for a
/// frame of another owner, mmu_update's -EINVAL for a table it does not own), and destroying a
/// domain gives every frame back, late for a frame another domain still maps.
/// </summary>
public sealed class SharedMachineIsolationTests : IDisposable
{
    private const ulong Ro = PteFlags.Present | PteFlags.Accessed;
    private const ulong Rw = Ro | PteFlags.ReadWrite;
    private readonly Machine _machine = Machine.WithMegabytes(96);
    private readonly TestDomainHost _host = new();

    public void Dispose() => _machine.Dispose();

    private PvDomain Build(string arch, DomId id)
    {
        var image = XenElfLoader.Parse(GuestImages.Load(arch, "hello")).Image!;
        var built = DomainBuilder.Build(_machine, image, DomainConfig.WithMegabytes(id, 16));
        Assert.True(built.Succeeded, built.Detail);
        var domain = new PvDomain(_machine, built.Domain!, _host);
        _host.Add(domain);
        return domain;
    }

    private static ulong Scratch(PvDomain d) => d.Built.Layout.StackVa + 4096;

    private static ulong MfnOf(PvDomain d, ulong va) => d.Built.P2m[(int)d.Built.Layout.PfnOf(va)];

    private static long UpdateVaMapping(PvDomain d, ulong va, ulong pte) => d.Width == GuestWidth.Bits64
        ? d.Vcpus[0].InvokeHypercall(HypercallNumber.UpdateVaMapping, va, pte, UpdateVaMappingFlags.Invlpg)
        : d.Vcpus[0].InvokeHypercall(HypercallNumber.UpdateVaMapping, va, pte & 0xFFFF_FFFF, pte >> 32, UpdateVaMappingFlags.Invlpg);

    /// <summary>One MMU_NORMAL_PT_UPDATE of the PTE at machine address <paramref name="pteMa"/>.</summary>
    private static long MmuUpdate(PvDomain d, ulong pteMa, ulong value)
    {
        var request = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(request, pteMa);
        BinaryPrimitives.WriteUInt64LittleEndian(request.AsSpan(8), value);
        ulong at = Scratch(d) + (8 * 4096);
        Assert.True(d.Vcpus[0].GuestMemory.TryWrite(at, request));
        return d.Vcpus[0].InvokeHypercall(HypercallNumber.MmuUpdate, at, 1, 0, DomId.Self.Value);
    }

    private static ulong PteAddress(PvDomain d, ulong va)
    {
        Assert.Equal(PageTableError.None, GuestPageWalk.FindL1Slot(d.Machine.Memory, d.Width, d.Vcpus[0].Mmu.KernelRootMfn, va, out var l1, out var slot));
        return (l1 << 12) + ((ulong)slot * 8);
    }

    private ulong GrantPage(PvDomain granter, uint gref, DomId to, bool readOnly)
    {
        Assert.Equal(GrantStatus.Okay, granter.Grants.SetupTable(1, out var frames));
        ulong page = MfnOf(granter, Scratch(granter));
        var entry = _machine.Memory.Frame(frames[0]).Slice((int)gref * 8, 8);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], to.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)page);
        BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)(GrantFlags.PermitAccess | (readOnly ? GrantFlags.ReadOnly : 0)));
        return page;
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void A_domain_cannot_map_a_frame_of_another_domain_readable_or_writable(string arch)
    {
        var victim = Build("x86_64", new DomId(1));
        var attacker = Build(arch, new DomId(2));
        ulong secret = MfnOf(victim, Scratch(victim));
        ulong target = Scratch(attacker) + (4 * 4096);
        var before = _machine.Frames[secret];

        Assert.Equal(-16, UpdateVaMapping(attacker, target, (secret << 12) | Ro));
        Assert.Equal(-16, UpdateVaMapping(attacker, target, (secret << 12) | Rw));
        Assert.Equal(-16, MmuUpdate(attacker, PteAddress(attacker, target), (secret << 12) | Rw));

        Assert.Equal(before, _machine.Frames[secret]);
        Assert.True(attacker.Vcpus[0].GuestMemory.TryTranslate(target, write: false, out var ma));
        Assert.NotEqual(secret, ma >> 12);
    }

    [Fact]
    public void A_domain_cannot_write_an_entry_of_another_domains_page_table()
    {
        var victim = Build("x86_64", new DomId(1));
        var attacker = Build("x86_64", new DomId(2));
        ulong victimPte = PteAddress(victim, Scratch(victim));
        ulong attackerPage = MfnOf(attacker, Scratch(attacker));
        ulong entryBefore = _machine.Memory.ReadEntry(victimPte >> 12, (int)((victimPte & 0xFFF) >> 3));

        Assert.Equal(-22, MmuUpdate(attacker, victimPte, (attackerPage << 12) | Rw));
        Assert.Equal(-22, attacker.Vcpus[0].InvokeHypercall(HypercallNumber.MmuextOp, WritePin(attacker, victim.Vcpus[0].Mmu.KernelRootMfn), 1, 0, DomId.Self.Value));

        Assert.Equal(entryBefore, _machine.Memory.ReadEntry(victimPte >> 12, (int)((victimPte & 0xFFF) >> 3)));
    }

    private static ulong WritePin(PvDomain d, ulong mfn)
    {
        ulong at = Scratch(d) + (9 * 4096);
        var op = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(op, (uint)MmuextCommand.UnpinTable);
        BinaryPrimitives.WriteUInt64LittleEndian(op.AsSpan(8), mfn);
        Assert.True(d.Vcpus[0].GuestMemory.TryWrite(at, op));
        return at;
    }

    [Fact]
    public void A_read_only_grant_maps_read_only_and_never_writable()
    {
        var granter = Build("x86_64", new DomId(1));
        var grantee = Build("x86_64", new DomId(2));
        ulong page = GrantPage(granter, 5, grantee.Id, readOnly: true);
        ulong host = Scratch(grantee) + (4 * 4096);
        var gnt = new GrantOps(grantee);

        Assert.Equal(GrantStatus.GeneralError, gnt.Map(host, 5, granter.Id, GrantMapFlags.HostMap, out _));
        Assert.Equal(GrantStatus.Okay, gnt.Map(host, 5, granter.Id, GrantMapFlags.HostMap | GrantMapFlags.ReadOnly, out var handle));

        Assert.True(grantee.Vcpus[0].GuestMemory.TryTranslate(host, write: false, out var ma));
        Assert.Equal(page, ma >> 12);
        Assert.False(grantee.Vcpus[0].GuestMemory.TryTranslate(host, write: true, out _));
        Assert.Equal(GrantStatus.Okay, gnt.Unmap(host, handle));
        Assert.Equal(-16, UpdateVaMapping(grantee, host, (page << 12) | Ro));
    }

    [Fact]
    public void Destroying_a_domain_gives_every_frame_back_to_the_machine()
    {
        Build("x86_64", new DomId(1));
        ulong baseline = _machine.FramesInUse;
        var doomed = Build("x86_32", new DomId(2));
        Assert.Equal(GrantStatus.Okay, doomed.Grants.SetupTable(2, out _));
        ulong page = MfnOf(doomed, Scratch(doomed));
        Assert.True(_machine.FramesInUse > baseline + 4096);

        var (freed, held) = doomed.Relinquish();

        Assert.Equal(0, held);
        Assert.Equal(baseline, _machine.FramesInUse);
        Assert.True(freed > 4096, $"{freed} frames freed");
        Assert.Equal(ulong.MaxValue, _machine.MachineToPhys[page]);
        Assert.Null(_machine.Find(doomed.Id));
        Assert.NotNull(Build("x86_64", new DomId(2)));
    }

    [Fact]
    public void A_frame_another_domain_maps_outlives_its_destroyed_owner_until_it_is_unmapped()
    {
        ulong empty = _machine.FramesInUse;
        var granter = Build("x86_64", new DomId(1));
        ulong withGranter = _machine.FramesInUse;
        var grantee = Build("x86_64", new DomId(2));
        ulong granteeFrames = _machine.FramesInUse - withGranter;
        ulong page = GrantPage(granter, 3, grantee.Id, readOnly: false);
        ulong host = Scratch(grantee) + (4 * 4096);
        var gnt = new GrantOps(grantee);
        Assert.Equal(GrantStatus.Okay, gnt.Map(host, 3, granter.Id, GrantMapFlags.HostMap, out var handle));
        Assert.True(grantee.Vcpus[0].GuestMemory.TryWrite(host, "still here"u8));

        var (_, held) = granter.Relinquish();

        Assert.Equal(1, held);
        Assert.True(_machine.Frames[page].IsAllocated);
        Assert.False(_machine.Frames.TryGetPage(page, granter.Id));
        Assert.Equal(GrantStatus.BadGntref, gnt.Map(host + 4096, 3, granter.Id, GrantMapFlags.HostMap, out _));
        Assert.Equal(GrantStatus.Okay, gnt.Unmap(host, handle));
        Assert.False(_machine.Frames[page].IsAllocated);
        Assert.Equal(empty + granteeFrames, _machine.FramesInUse);
    }
}

/// <summary>GNTTABOP_map_grant_ref and unmap_grant_ref made by one domain through the hypercall path, one op at a time.</summary>
internal sealed class GrantOps(PvDomain domain)
{
    private ulong Op => domain.Built.Layout.StackVa + 4096 + (10 * 4096);

    public GrantStatus Map(ulong hostAddress, uint gref, DomId from, uint flags, out uint handle)
    {
        var vcpu = domain.Vcpus[0];
        var bytes = new byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, hostAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), gref);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(16), from.Value);
        Assert.True(vcpu.GuestMemory.TryWrite(Op, bytes));
        Assert.Equal(0, vcpu.InvokeHypercall(HypercallNumber.GrantTableOp, (ulong)GrantTableOp.MapGrantRef, Op, 1));
        Assert.True(vcpu.GuestMemory.TryReadU32(Op + 16, out var statusWord));
        Assert.True(vcpu.GuestMemory.TryReadU32(Op + 20, out handle));
        return (GrantStatus)(short)(statusWord >> 16);
    }

    public GrantStatus Unmap(ulong hostAddress, uint handle)
    {
        var vcpu = domain.Vcpus[0];
        var bytes = new byte[24];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, hostAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), handle);
        Assert.True(vcpu.GuestMemory.TryWrite(Op, bytes));
        Assert.Equal(0, vcpu.InvokeHypercall(HypercallNumber.GrantTableOp, (ulong)GrantTableOp.UnmapGrantRef, Op, 1));
        Assert.True(vcpu.GuestMemory.TryReadU32(Op + 20, out var status));
        return (GrantStatus)(short)status;
    }
}
