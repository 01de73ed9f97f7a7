using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Tests.Hypercalls;

/// <summary>memory_op reservations with extents larger than one page (extent_order above 0).</summary>
public class ReservationExtentTests
{
    private const ulong Args = 0;
    private const ulong List = 64;

    [Fact]
    public void An_order_1_extent_is_given_back_and_taken_again_as_two_aligned_contiguous_frames()
    {
        using var f = new HypercallFixture();
        ulong pair = UnmappedAlignedPair(f);
        var before = f.Domain.Reservation.CurrentPages;

        Assert.Equal(1, Reservation(f, MemoryOp.DecreaseReservation, order: 1, pair));
        Assert.Equal(before - 2, f.Domain.Reservation.CurrentPages);
        Assert.False(f.Machine.Frames[pair].IsAllocated);
        Assert.False(f.Machine.Frames[pair + 1].IsAllocated);

        Assert.Equal(1, Reservation(f, MemoryOp.IncreaseReservation, order: 1, 0));
        ulong given = ReadLong(f, f.Scratch + List);
        Assert.Equal(0ul, given % 2);
        Assert.Equal(before, f.Domain.Reservation.CurrentPages);
        Assert.Equal(f.Domain.Id, f.Machine.Frames[given].Owner);
        Assert.Equal(f.Domain.Id, f.Machine.Frames[given + 1].Owner);
    }

    [Fact]
    public void Populate_physmap_with_an_order_2_extent_maps_four_pseudo_physical_frames_in_order()
    {
        using var f = new HypercallFixture();
        ulong pair = UnmappedAlignedPair(f);
        Assert.Equal(1, Reservation(f, MemoryOp.DecreaseReservation, order: 1, pair));
        ulong quad = UnmappedAlignedPair(f, alignment: 4);
        Assert.Equal(1, Reservation(f, MemoryOp.DecreaseReservation, order: 2, quad));

        Assert.Equal(1, Reservation(f, MemoryOp.PopulatePhysmap, order: 2, 5000));

        ulong first = ReadLong(f, f.Scratch + List);
        Assert.Equal(0ul, first % 4);
        for (ulong i = 0; i < 4; i++)
        {
            Assert.Equal(5000 + i, f.Machine.MachineToPhys[first + i]);
        }
    }

    [Fact]
    public void An_extent_order_above_the_guest_limit_does_nothing()
    {
        using var f = new HypercallFixture();
        ulong pair = UnmappedAlignedPair(f);
        var before = f.Domain.Reservation.CurrentPages;

        Assert.Equal(0, Reservation(f, MemoryOp.DecreaseReservation, order: 10, pair));

        Assert.Equal(before, f.Domain.Reservation.CurrentPages);
        Assert.True(f.Machine.Frames[pair].IsAllocated);
    }

    [Fact]
    public void Increase_beyond_the_maximum_reservation_does_nothing()
    {
        using var f = new HypercallFixture();

        Assert.Equal(0, Reservation(f, MemoryOp.IncreaseReservation, order: 1, 0));
        Assert.Equal(f.Domain.Reservation.MaximumPages, f.Domain.Reservation.CurrentPages);
    }

    [Fact]
    public void An_extent_whose_second_frame_is_in_use_is_not_done_and_only_its_first_frame_goes_back_as_in_xen()
    {
        using var f = new HypercallFixture();
        ulong pair = UnmappedAlignedPair(f);
        Assert.True(f.Machine.Frames.TryGetPage(pair + 1, f.Domain.Id));
        var before = f.Domain.Reservation.CurrentPages;

        Assert.Equal(0, Reservation(f, MemoryOp.DecreaseReservation, order: 1, pair));

        Assert.False(f.Machine.Frames[pair].IsAllocated);
        Assert.True(f.Machine.Frames[pair + 1].IsAllocated);
        Assert.Equal(2u, f.Machine.Frames[pair + 1].RefCount);
        Assert.Equal(before - 1, f.Domain.Reservation.CurrentPages);
    }

    private static long Reservation(HypercallFixture f, MemoryOp op, uint order, ulong extent)
    {
        ulong args = f.Scratch + Args;
        ulong list = f.Scratch + List;
        f.WriteU64(list, extent);
        f.WriteU64(args, list);
        f.WriteU64(args + 8, 1);
        f.WriteU32(args + 16, order);
        f.WriteU32(args + 20, 0);
        f.WriteU32(args + 24, DomId.Self.Value);
        return f.Call(HypercallNumber.MemoryOp, (ulong)op, args);
    }

    private static ulong ReadLong(HypercallFixture f, ulong va)
    {
        Assert.True(f.Vcpu.GuestMemory.TryReadU64(va, out var value));
        return value;
    }

    /// <summary>An aligned run of frames of the domain that nothing maps or types (from the top of its pseudo-physical map).</summary>
    private static ulong UnmappedAlignedPair(HypercallFixture f, ulong alignment = 2)
    {
        var p2m = f.Domain.Built.P2m;
        for (int pfn = p2m.Count - 1; pfn > 0; pfn--)
        {
            ulong mfn = p2m[pfn];
            if (mfn % alignment != 0)
            {
                continue;
            }

            bool free = true;
            for (ulong i = 0; i < alignment; i++)
            {
                var frame = f.Machine.Frames[mfn + i];
                free &= frame.IsAllocated && frame.Owner == f.Domain.Id && frame.RefCount == 1 && frame.TypeCount == 0;
            }

            if (free)
            {
                return mfn;
            }
        }

        throw new InvalidOperationException("no unused aligned run in the domain");
    }
}
