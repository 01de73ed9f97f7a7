using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Memory;

public class PaePageTableTests
{
    private static (ulong L3, ulong[] L2s) PaeTree(MemoryFixture m)
    {
        ulong l3 = m.Alloc();
        var l2s = new ulong[4];
        for (int i = 0; i < 4; i++)
        {
            l2s[i] = m.Alloc();
            m.Set(l3, i, l2s[i], PteFlags.Present);
        }

        return (l3, l2s);
    }

    [Fact]
    public void A_PAE_L3_without_slot_3_is_refused_with_EINVAL()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae);
        var (l3, _) = PaeTree(m);
        m.Machine.Memory.WriteEntry(l3, 3, 0);
        var before = m.Counts();

        var error = m.Tables.Pin(l3, PageType.L3, m.Guest);

        Assert.Equal(PageTableError.BadPaeSlot3, error);
        Assert.Equal(XenErrno.Inval, error.ToErrno());
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void A_PAE_L3_entry_with_NX_or_RW_cache_bits_is_refused()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae);
        var (l3, l2s) = PaeTree(m);
        m.Set(l3, 1, l2s[1], PteFlags.Present | PteFlags.NoExecute);

        Assert.Equal(PageTableError.ForbiddenFlags, m.Tables.Pin(l3, PageType.L3, m.Guest));
    }

    [Fact]
    public void The_slot_3_L2_may_not_be_shared_between_two_L3s()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae);
        var (first, l2s) = PaeTree(m);
        Assert.Equal(PageTableError.None, m.Tables.Pin(first, PageType.L3, m.Guest));
        var (second, _) = PaeTree(m);
        m.Set(second, 3, l2s[3], PteFlags.Present);
        var before = m.Counts();

        Assert.Equal(PageTableError.BadPaeSlot3, m.Tables.Pin(second, PageType.L3, m.Guest));
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void Pinning_a_PAE_L3_marks_its_slot_3_L2_and_clears_slots_above_3()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae);
        var (l3, l2s) = PaeTree(m);
        m.Machine.Memory.WriteEntry(l3, 100, 0x1234_5067);

        Assert.Equal(PageTableError.None, m.Tables.Pin(l3, PageType.L3, m.Guest));

        Assert.True(m.Frame(l2s[3]).IsPaeXenL2);
        Assert.False(m.Frame(l2s[0]).IsPaeXenL2);
        Assert.Equal(0ul, m.Get(l3, 100));
    }

    [Fact]
    public void Updating_the_Xen_part_of_the_slot_3_L2_is_refused_with_EPERM()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae);
        var (l3, l2s) = PaeTree(m);
        Assert.Equal(PageTableError.None, m.Tables.Pin(l3, PageType.L3, m.Guest));
        ulong l1 = m.Alloc();

        var xenPart = m.Mmu.MmuUpdate(m.Guest, [new MmuUpdateRequest((l2s[3] << 12) | (430ul << 3), (l1 << 12) | MemoryFixture.Upper)], DomId.Self.Value, m.Flush);
        var guestPart = m.Mmu.MmuUpdate(m.Guest, [new MmuUpdateRequest((l2s[3] << 12) | (10ul << 3), (l1 << 12) | MemoryFixture.Upper)], DomId.Self.Value, m.Flush);

        Assert.Equal(XenErrno.Perm, xenPart.Error.ToErrno());
        Assert.True(guestPart.Succeeded);
    }

    [Fact]
    public void Updating_PAE_L3_slot_3_through_mmu_update_is_refused_with_EINVAL()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae);
        var (l3, _) = PaeTree(m);
        Assert.Equal(PageTableError.None, m.Tables.Pin(l3, PageType.L3, m.Guest));
        ulong l2 = m.Alloc();

        var result = m.Mmu.MmuUpdate(m.Guest, [new MmuUpdateRequest((l3 << 12) | (3ul << 3), (l2 << 12) | PteFlags.Present)], DomId.Self.Value, m.Flush);

        Assert.Equal(XenErrno.Inval, result.Error.ToErrno());
    }

    [Fact]
    public void A_PAE_L3_above_4GiB_needs_extended_cr3()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae, frames: (1ul << 20) + 16);
        m.Guest.PaeExtendedCr3 = false;
        ulong high = (1ul << 20) + 3;
        Assert.True(m.Machine.TryAllocateFrameAt(m.Guest.Id, high));

        Assert.Equal(PageTableError.PaeL3Above4Gb, m.Tables.Pin(high, PageType.L3, m.Guest));
        Assert.Equal(XenErrno.Range, PageTableError.PaeL3Above4Gb.ToErrno());
    }

    [Fact]
    public void PIN_L4_from_a_32_bit_guest_is_ignored()
    {
        using var m = new MemoryFixture(GuestWidth.Bits32Pae);
        ulong page = m.Alloc();

        Assert.Equal(PageTableError.None, m.Tables.Pin(page, PageType.L4, m.Guest));
        Assert.Equal(0u, m.Frame(page).TypeCount);
    }
}
