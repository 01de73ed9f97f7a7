using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Memory;

public class MmuOperationsTests
{
    private static MmuUpdateRequest Normal(ulong table, int slot, ulong value) => new((table << 12) | ((ulong)slot << 3), value);

    private static (ulong L4, ulong L1, PvVcpuMmu Vcpu) Running(MemoryFixture m)
    {
        var (l4, _, _, l1) = m.Tree64();
        var vcpu = new PvVcpuMmu();
        Assert.Equal(PageTableError.None, m.Tables.Pin(l4, PageType.L4, m.Guest));
        Assert.Equal(PageTableError.None, m.Tables.NewBaseptr(m.Guest, vcpu, l4, m.Flush));
        return (l4, l1, vcpu);
    }

    [Fact]
    public void Mmu_update_stops_at_the_first_refusal_and_reports_how_many_completed()
    {
        using var m = new MemoryFixture();
        var (_, l1, _) = Running(m);
        ulong a = m.Alloc(), b = m.Alloc();
        MmuUpdateRequest[] batch =
        [
            Normal(l1, 1, (a << 12) | MemoryFixture.Rw),
            Normal(l1, 2, (b << 12) | MemoryFixture.Ro),
            Normal(l1, 3, (l1 << 12) | MemoryFixture.Rw),
            Normal(l1, 4, (a << 12) | MemoryFixture.Ro),
        ];

        var result = m.Mmu.MmuUpdate(m.Guest, batch, DomId.Self.Value, m.Flush);

        Assert.Equal(new BatchResult(2, PageTableError.WritableMappingOfPageTable), result);
        Assert.Equal((a << 12) | MemoryFixture.Rw, m.Get(l1, 1));
        Assert.Equal(0ul, m.Get(l1, 3));
        Assert.Equal(0ul, m.Get(l1, 4));
    }

    [Fact]
    public void Replacing_a_writable_mapping_releases_its_writable_type()
    {
        using var m = new MemoryFixture();
        var (_, l1, _) = Running(m);
        ulong a = m.Alloc();
        Assert.True(m.Mmu.MmuUpdate(m.Guest, [Normal(l1, 1, (a << 12) | MemoryFixture.Rw)], DomId.Self.Value, m.Flush).Succeeded);
        Assert.Equal(PageTableError.TypeConflict, m.Tables.Pin(a, PageType.L1, m.Guest));

        Assert.True(m.Mmu.MmuUpdate(m.Guest, [Normal(l1, 1, 0)], DomId.Self.Value, m.Flush).Succeeded);

        Assert.Equal(PageTableError.None, m.Tables.Pin(a, PageType.L1, m.Guest));
    }

    [Fact]
    public void An_update_of_a_frame_the_caller_does_not_own_is_refused_with_EINVAL()
    {
        using var m = new MemoryFixture();
        ulong foreign = m.Alloc(m.Other);

        var result = m.Mmu.MmuUpdate(m.Guest, [Normal(foreign, 0, 0x1234)], DomId.Self.Value, m.Flush);

        Assert.Equal(new BatchResult(0, PageTableError.NotOwner), result);
        Assert.Equal(XenErrno.Inval, result.Error.ToErrno());
        Assert.Equal(0ul, m.Get(foreign, 0));
    }

    [Fact]
    public void An_update_of_an_ordinary_page_is_a_plain_store()
    {
        using var m = new MemoryFixture();
        ulong page = m.Alloc();

        Assert.True(m.Mmu.MmuUpdate(m.Guest, [Normal(page, 9, 0xFFFF_0000_1234_5678)], DomId.Self.Value, m.Flush).Succeeded);

        Assert.Equal(0xFFFF_0000_1234_5678ul, m.Get(page, 9));
        Assert.Equal(0u, m.Frame(page).TypeCount);
    }

    [Fact]
    public void Machphys_update_sets_the_M2P_entry_of_an_owned_frame_only()
    {
        using var m = new MemoryFixture();
        ulong mine = m.Alloc(), theirs = m.Alloc(m.Other);

        Assert.True(m.Mmu.MmuUpdate(m.Guest, [new MmuUpdateRequest((mine << 12) | 1, 42)], DomId.Self.Value, m.Flush).Succeeded);
        var refused = m.Mmu.MmuUpdate(m.Guest, [new MmuUpdateRequest((theirs << 12) | 1, 43)], DomId.Self.Value, m.Flush);

        Assert.Equal(42ul, m.Machine.MachineToPhys[mine]);
        Assert.Equal(PageTableError.NotOwner, refused.Error);
        Assert.Equal(ulong.MaxValue, m.Machine.MachineToPhys[theirs]);
    }

    [Fact]
    public void Unknown_mmu_update_subcommands_return_ENOSYS()
    {
        using var m = new MemoryFixture();
        ulong page = m.Alloc();

        var result = m.Mmu.MmuUpdate(m.Guest, [new MmuUpdateRequest((page << 12) | 5, 0)], DomId.Self.Value, m.Flush);

        Assert.Equal(XenErrno.NoSys, result.Error.ToErrno());
    }

    [Fact]
    public void A_foreign_domain_argument_needs_privilege_and_an_existing_domain()
    {
        using var m = new MemoryFixture();
        ulong page = m.Alloc();

        var other = m.Mmu.MmuUpdate(m.Guest, [Normal(page, 0, 0)], m.Other.Id.Value, m.Flush);
        var missing = m.Mmu.MmuUpdate(m.Guest, [Normal(page, 0, 0)], 77, m.Flush);

        Assert.Equal(XenErrno.Perm, other.Error.ToErrno());
        Assert.Equal(XenErrno.Srch, missing.Error.ToErrno());
    }

    [Fact]
    public void Updating_a_hypervisor_L4_slot_is_refused_with_EINVAL()
    {
        using var m = new MemoryFixture();
        var (l4, _, _) = Running(m);
        ulong l3 = m.Alloc();

        var result = m.Mmu.MmuUpdate(m.Guest, [Normal(l4, 260, (l3 << 12) | MemoryFixture.Upper)], DomId.Self.Value, m.Flush);

        Assert.Equal(PageTableError.HypervisorSlot, result.Error);
        Assert.Equal(XenErrno.Inval, result.Error.ToErrno());
        Assert.Equal(0u, m.Frame(l3).TypeCount);
    }

    [Fact]
    public void An_L4_update_adding_a_new_L3_validates_it_and_requests_a_flush()
    {
        using var m = new MemoryFixture();
        var (l4, _, _) = Running(m);
        ulong l3 = m.Alloc();
        m.Flush.Clear();

        var result = m.Mmu.MmuUpdate(m.Guest, [Normal(l4, 5, (l3 << 12) | MemoryFixture.Upper)], DomId.Self.Value, m.Flush);

        Assert.True(result.Succeeded);
        Assert.Equal((PageType.L3, 1u), (m.Frame(l3).Type, m.Frame(l3).TypeCount));
        Assert.True(m.Flush.FlushAllVcpus);
    }

    [Fact]
    public void Update_va_mapping_replaces_the_L1_entry_and_requests_the_asked_flush()
    {
        using var m = new MemoryFixture();
        var (_, l1, vcpu) = Running(m);
        ulong page = m.Alloc();
        m.Flush.Clear();

        var error = m.Tables.UpdateVaMapping(m.Guest, vcpu, 0x5000, (page << 12) | MemoryFixture.Rw, UpdateVaMappingFlags.Invlpg, m.Guest.Id, m.Flush);

        Assert.Equal(PageTableError.None, error);
        Assert.Equal((page << 12) | MemoryFixture.Rw, m.Get(l1, 5));
        Assert.Equal([0x5000ul], m.Flush.LocalPages);
    }

    [Fact]
    public void Update_va_mapping_without_an_L1_for_the_address_is_refused_with_EINVAL()
    {
        using var m = new MemoryFixture();
        var (_, _, vcpu) = Running(m);
        ulong page = m.Alloc();

        var unmapped = m.Tables.UpdateVaMapping(m.Guest, vcpu, 0x4000_0000, (page << 12) | MemoryFixture.Rw, 0, m.Guest.Id, m.Flush);
        var hypervisor = m.Tables.UpdateVaMapping(m.Guest, vcpu, HypervisorLayout.VirtStart64, (page << 12) | MemoryFixture.Ro, 0, m.Guest.Id, m.Flush);

        Assert.Equal(XenErrno.Inval, unmapped.ToErrno());
        Assert.Equal(PageTableError.BadAddress, hypervisor);
        Assert.Equal(XenErrno.Inval, hypervisor.ToErrno());
    }

    [Fact]
    public void New_baseptr_moves_the_root_reference_to_the_new_table()
    {
        using var m = new MemoryFixture();
        var (l4, _, vcpu) = Running(m);
        ulong second = m.Alloc();

        Assert.Equal(PageTableError.None, m.Tables.NewBaseptr(m.Guest, vcpu, second, m.Flush));

        Assert.Equal(second, vcpu.KernelRootMfn);
        Assert.Equal(1u, m.Frame(l4).TypeCount);
        Assert.Equal((PageType.L4, 1u), (m.Frame(second).Type, m.Frame(second).TypeCount));
    }

    [Fact]
    public void Mmuext_batch_reports_done_and_the_failing_pin()
    {
        using var m = new MemoryFixture();
        ulong good = m.Alloc(), bad = m.Alloc();
        m.Set(bad, 0, m.Alloc(m.Other), MemoryFixture.Ro);
        var vcpu = new PvVcpuMmu();
        MmuextRequest[] ops =
        [
            new((uint)MmuextCommand.PinL1Table, good, 0),
            new((uint)MmuextCommand.TlbFlushLocal, 0, 0),
            new((uint)MmuextCommand.PinL1Table, bad, 0),
        ];

        var result = m.Mmu.MmuextOp(m.Guest, vcpu, ops, DomId.Self.Value, m.Flush);

        Assert.Equal(new BatchResult(2, PageTableError.FrameNotOwned), result);
        Assert.True(m.Frame(good).IsPinned);
        Assert.Equal(0u, m.Frame(bad).TypeCount);
    }

    [Fact]
    public void Set_ldt_checks_alignment_and_size()
    {
        using var m = new MemoryFixture();
        var vcpu = new PvVcpuMmu();

        var misaligned = m.Mmu.MmuextOp(m.Guest, vcpu, [new((uint)MmuextCommand.SetLdt, 0x1008, 4)], DomId.Self.Value, m.Flush);
        var tooBig = m.Mmu.MmuextOp(m.Guest, vcpu, [new((uint)MmuextCommand.SetLdt, 0x1000, 8193)], DomId.Self.Value, m.Flush);
        var good = m.Mmu.MmuextOp(m.Guest, vcpu, [new((uint)MmuextCommand.SetLdt, 0x1000, 16)], DomId.Self.Value, m.Flush);

        Assert.Equal(XenErrno.Inval, misaligned.Error.ToErrno());
        Assert.Equal(XenErrno.Inval, tooBig.Error.ToErrno());
        Assert.True(good.Succeeded);
        Assert.Equal((0x1000ul, 16u), (vcpu.LdtBase, vcpu.LdtEntries));
    }

    [Fact]
    public void A_write_to_a_read_only_mapped_L1_is_emulated_as_a_validated_update()
    {
        using var m = new MemoryFixture();
        var (_, l1, _) = Running(m);
        ulong page = m.Alloc();

        var good = m.Tables.EmulateL1Write(m.Guest, (l1 << 12) + (7 * 8), (page << 12) | MemoryFixture.Rw, 8, m.Flush);
        var bad = m.Tables.EmulateL1Write(m.Guest, (l1 << 12) + (8 * 8), (l1 << 12) | MemoryFixture.Rw, 8, m.Flush);
        var notTable = m.Tables.EmulateL1Write(m.Guest, page << 12, 0, 8, m.Flush);

        Assert.Equal(PageTableError.None, good);
        Assert.Equal((page << 12) | MemoryFixture.Rw, m.Get(l1, 7));
        Assert.Equal(PageTableError.WritableMappingOfPageTable, bad);
        Assert.Equal(PageTableError.TypeConflict, notTable);
    }
}
