using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Memory;

public class LinearPageTableTests
{
    [Fact]
    public void A_read_only_self_mapping_L4_is_accepted_and_takes_no_reference()
    {
        using var m = new MemoryFixture();
        var (l4, _, _, _) = m.Tree64();
        m.Set(l4, 510, l4, MemoryFixture.Ro);

        Assert.Equal(PageTableError.None, m.Tables.Pin(l4, PageType.L4, m.Guest));
        Assert.Equal((1u, 2u), (m.Frame(l4).TypeCount, m.Frame(l4).RefCount));
        Assert.Equal(PageTableError.None, m.Tables.Unpin(l4, m.Guest));
        Assert.Equal((0u, 1u), (m.Frame(l4).TypeCount, m.Frame(l4).RefCount));
    }

    [Fact]
    public void A_writable_self_mapping_is_refused_with_EINVAL()
    {
        using var m = new MemoryFixture();
        var (l4, _, _, _) = m.Tree64();
        m.Set(l4, 510, l4, MemoryFixture.Upper);
        var before = m.Counts();

        var error = m.Tables.Pin(l4, PageType.L4, m.Guest);

        Assert.Equal(PageTableError.BadLinearMapping, error);
        Assert.Equal(XenErrno.Inval, error.ToErrno());
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void A_read_only_L2_may_map_another_validated_L2()
    {
        using var m = new MemoryFixture();
        ulong target = m.Alloc(), l2 = m.Alloc();
        Assert.Equal(PageTableError.None, m.Tables.Pin(target, PageType.L2, m.Guest));
        m.Set(l2, 7, target, MemoryFixture.Ro);

        Assert.Equal(PageTableError.None, m.Tables.Pin(l2, PageType.L2, m.Guest));
        Assert.Equal(2u, m.Frame(target).TypeCount);
        Assert.Equal((1, -1), (m.Frame(l2).LinearCount, m.Frame(target).LinearCount));

        Assert.Equal(PageTableError.None, m.Tables.Unpin(l2, m.Guest));
        Assert.Equal((0, 0, 1u), (m.Frame(l2).LinearCount, m.Frame(target).LinearCount, m.Frame(target).TypeCount));
    }

    [Fact]
    public void Linear_mappings_are_only_one_level_deep()
    {
        using var m = new MemoryFixture();
        ulong bottom = m.Alloc(), middle = m.Alloc(), top = m.Alloc();
        Assert.Equal(PageTableError.None, m.Tables.Pin(bottom, PageType.L2, m.Guest));
        m.Set(middle, 0, bottom, MemoryFixture.Ro);
        Assert.Equal(PageTableError.None, m.Tables.Pin(middle, PageType.L2, m.Guest));
        m.Set(top, 0, middle, MemoryFixture.Ro);
        var before = m.Counts();

        Assert.Equal(PageTableError.BadLinearMapping, m.Tables.Pin(top, PageType.L2, m.Guest));
        Assert.Equal(before, m.Counts());
    }

    [Fact]
    public void A_table_frame_at_type_count_zero_is_retyped_to_the_level_that_references_it()
    {
        using var m = new MemoryFixture();
        ulong l3 = m.Alloc(), other = m.Alloc();
        // 'other' was an L3 once but is no longer referenced, so it would have to become an L2.
        Assert.Equal(PageTableError.None, m.Tables.Pin(other, PageType.L3, m.Guest));
        Assert.Equal(PageTableError.None, m.Tables.Unpin(other, m.Guest));
        m.Set(other, 0, other, MemoryFixture.Ro);
        m.Set(l3, 0, other, MemoryFixture.Ro);

        // As an L2 'other' holds a read-only self map: that is fine, so it becomes an L2 under l3.
        Assert.Equal(PageTableError.None, m.Tables.Pin(l3, PageType.L3, m.Guest));
        Assert.Equal(PageType.L2, m.Frame(other).Type);
    }
}
