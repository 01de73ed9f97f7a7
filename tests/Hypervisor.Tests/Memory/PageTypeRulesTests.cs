using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Memory;

public class PageTypeRulesTests
{
    [Fact]
    public void Pinning_an_L1_with_one_bad_entry_fails_and_leaves_counts_unchanged()
    {
        using var m = new MemoryFixture();
        ulong l1 = m.Alloc(), a = m.Alloc(), b = m.Alloc();
        m.Set(l1, 0, a, MemoryFixture.Rw);
        m.Set(l1, 1, b, MemoryFixture.Ro);
        m.Set(l1, 137, a, MemoryFixture.Rw | PteFlags.CacheDisable);
        var before = m.Counts();

        var error = m.Tables.Pin(l1, PageType.L1, m.Guest);

        Assert.Equal(PageTableError.ForbiddenFlags, error);
        Assert.Equal(XenErrno.Inval, error.ToErrno());
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void Pinning_a_valid_L1_takes_a_writable_reference_per_writable_mapping()
    {
        using var m = new MemoryFixture();
        ulong l1 = m.Alloc(), a = m.Alloc(), b = m.Alloc();
        m.Set(l1, 0, a, MemoryFixture.Rw);
        m.Set(l1, 1, a, MemoryFixture.Rw);
        m.Set(l1, 2, b, MemoryFixture.Ro);

        Assert.Equal(PageTableError.None, m.Tables.Pin(l1, PageType.L1, m.Guest));

        Assert.Equal((PageType.Writable, 2u, 3u), (m.Frame(a).Type, m.Frame(a).TypeCount, m.Frame(a).RefCount));
        Assert.Equal((0u, 2u), (m.Frame(b).TypeCount, m.Frame(b).RefCount));
        Assert.True(m.Frame(l1).IsPinned && m.Frame(l1).IsValidated);
        Assert.Equal((PageType.L1, 1u, 2u), (m.Frame(l1).Type, m.Frame(l1).TypeCount, m.Frame(l1).RefCount));
    }

    [Fact]
    public void Unpinning_releases_every_reference_the_table_held()
    {
        using var m = new MemoryFixture();
        var (l4, _, _, l1) = m.Tree64();
        ulong data = m.Alloc();
        m.Set(l1, 5, data, MemoryFixture.Rw);
        var before = m.Counts();

        Assert.Equal(PageTableError.None, m.Tables.Pin(l4, PageType.L4, m.Guest));
        Assert.Equal(PageType.L1, m.Frame(l1).Type);
        Assert.Equal(PageType.Writable, m.Frame(data).Type);
        Assert.Equal(PageTableError.None, m.Tables.Unpin(l4, m.Guest));

        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void A_writable_mapping_of_a_page_table_page_is_refused_with_EBUSY()
    {
        using var m = new MemoryFixture();
        ulong table = m.Alloc(), l1 = m.Alloc();
        Assert.Equal(PageTableError.None, m.Tables.Pin(table, PageType.L1, m.Guest));
        m.Set(l1, 0, table, MemoryFixture.Rw);
        var before = m.Counts();

        var error = m.Tables.Pin(l1, PageType.L1, m.Guest);

        Assert.Equal(PageTableError.WritableMappingOfPageTable, error);
        Assert.Equal(XenErrno.Busy, error.ToErrno());
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void A_read_only_mapping_of_a_page_table_page_is_accepted()
    {
        using var m = new MemoryFixture();
        ulong table = m.Alloc(), l1 = m.Alloc();
        Assert.Equal(PageTableError.None, m.Tables.Pin(table, PageType.L1, m.Guest));
        m.Set(l1, 0, table, MemoryFixture.Ro);

        Assert.Equal(PageTableError.None, m.Tables.Pin(l1, PageType.L1, m.Guest));
    }

    [Fact]
    public void A_frame_mapped_writable_cannot_become_a_page_table()
    {
        using var m = new MemoryFixture();
        ulong l1 = m.Alloc(), victim = m.Alloc();
        m.Set(l1, 0, victim, MemoryFixture.Rw);
        Assert.Equal(PageTableError.None, m.Tables.Pin(l1, PageType.L1, m.Guest));

        var error = m.Tables.Pin(victim, PageType.L1, m.Guest);

        Assert.Equal(PageTableError.TypeConflict, error);
        Assert.Equal(XenErrno.Inval, error.ToErrno());
        Assert.Equal(PageType.Writable, m.Frame(victim).Type);
    }

    [Fact]
    public void Mapping_another_domains_frame_is_refused_with_EBUSY()
    {
        using var m = new MemoryFixture();
        ulong l1 = m.Alloc(), foreign = m.Alloc(m.Other);
        m.Set(l1, 0, foreign, MemoryFixture.Ro);
        var before = m.Counts();

        var error = m.Tables.Pin(l1, PageType.L1, m.Guest);

        Assert.Equal(PageTableError.FrameNotOwned, error);
        Assert.Equal(XenErrno.Busy, error.ToErrno());
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void Mapping_a_frame_that_is_not_RAM_is_refused_with_EPERM()
    {
        using var m = new MemoryFixture();
        ulong l1 = m.Alloc();
        m.Set(l1, 0, 1_000_000, MemoryFixture.Ro);

        var error = m.Tables.Pin(l1, PageType.L1, m.Guest);

        Assert.Equal(XenErrno.Perm, error.ToErrno());
    }

    [Fact]
    public void A_superpage_entry_in_an_L2_is_refused_with_EINVAL()
    {
        using var m = new MemoryFixture();
        ulong l2 = m.Alloc(), l1 = m.Alloc();
        m.Set(l2, 0, l1, MemoryFixture.Upper | PteFlags.PageSizeOrPat);

        Assert.Equal(XenErrno.Inval, m.Tables.Pin(l2, PageType.L2, m.Guest).ToErrno());
        Assert.Equal(0u, m.Frame(l1).TypeCount);
    }

    [Fact]
    public void A_failure_deep_in_a_tree_unwinds_every_level()
    {
        using var m = new MemoryFixture();
        var (l4, _, _, l1) = m.Tree64();
        ulong ok = m.Alloc();
        m.Set(l1, 0, ok, MemoryFixture.Rw);
        m.Set(l1, 300, m.Alloc(m.Other), MemoryFixture.Ro);
        var before = m.Counts();

        var error = m.Tables.Pin(l4, PageType.L4, m.Guest);

        Assert.Equal(PageTableError.FrameNotOwned, error);
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void Pinning_twice_and_unpinning_an_unpinned_frame_are_refused_with_EINVAL()
    {
        using var m = new MemoryFixture();
        ulong l1 = m.Alloc();
        Assert.Equal(PageTableError.None, m.Tables.Pin(l1, PageType.L1, m.Guest));
        var pinned = m.Counts();

        Assert.Equal(PageTableError.AlreadyPinned, m.Tables.Pin(l1, PageType.L1, m.Guest));
        Assert.Equal(pinned, m.Counts());
        Assert.Equal(PageTableError.None, m.Tables.Unpin(l1, m.Guest));
        Assert.Equal(PageTableError.NotPinned, m.Tables.Unpin(l1, m.Guest));
        Assert.Equal(XenErrno.Inval, PageTableError.NotPinned.ToErrno());
    }

    [Fact]
    public void Pinning_another_domains_frame_is_refused()
    {
        using var m = new MemoryFixture();
        ulong foreign = m.Alloc(m.Other);

        Assert.Equal(PageTableError.NotOwner, m.Tables.Pin(foreign, PageType.L1, m.Guest));
    }

    [Fact]
    public void An_unpinned_unreferenced_table_can_become_an_ordinary_writable_page()
    {
        using var m = new MemoryFixture();
        ulong table = m.Alloc(), l1 = m.Alloc();
        Assert.Equal(PageTableError.None, m.Tables.Pin(table, PageType.L1, m.Guest));
        Assert.Equal(PageTableError.None, m.Tables.Unpin(table, m.Guest));
        m.Set(l1, 0, table, MemoryFixture.Rw);

        Assert.Equal(PageTableError.None, m.Tables.Pin(l1, PageType.L1, m.Guest));
        Assert.Equal(PageType.Writable, m.Frame(table).Type);
    }

    [Fact]
    public void Hypervisor_L4_slots_are_ignored_during_validation_and_hold_Xens_entries()
    {
        using var m = new MemoryFixture();
        ulong l4 = m.Alloc();
        m.Machine.Memory.WriteEntry(l4, 256, 0xDEAD_BEEF_0000_0067);
        m.Machine.Memory.WriteEntry(l4, 271, 0x1234_5000 | MemoryFixture.Rw);

        Assert.Equal(PageTableError.None, m.Tables.Pin(l4, PageType.L4, m.Guest));
        Assert.Equal(m.Machine.XenL4Slot256, m.Get(l4, 256));
        Assert.Equal(0ul, m.Get(l4, 271));
    }
}
