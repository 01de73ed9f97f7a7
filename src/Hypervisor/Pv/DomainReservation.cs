using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The domain's memory reservation: how many frames it holds and may hold (Xen's tot_pages and
/// max_pages). Frames given back with decrease_reservation must hold nothing but their allocation
/// reference: a frame still mapped, typed or pinned is refused and the batch stops there.
/// </summary>
public sealed class DomainReservation
{
    private readonly Machine _machine;
    private readonly DomId _owner;

    public DomainReservation(Machine machine, DomId owner, ulong initialPages)
    {
        _machine = machine;
        _owner = owner;
        CurrentPages = initialPages;
        MaximumPages = initialPages;
        HighestPfn = initialPages - 1;
    }

    public ulong CurrentPages { get; private set; }

    /// <summary>The ceiling set by the toolstack: the domain's size at build time until <see cref="TrySetMaximumPages"/> changes it.</summary>
    public ulong MaximumPages { get; private set; }

    /// <summary>The highest PFN of the domain's pseudo-physical map as built.</summary>
    public ulong HighestPfn { get; }

    /// <summary>
    /// Sets the ceiling, as XEN_DOMCTL_max_mem does; refused (false) when it is below the frames the
    /// domain holds now, which the domain would first have to give back.
    /// </summary>
    public bool TrySetMaximumPages(ulong pages)
    {
        if (pages < CurrentPages)
        {
            return false;
        }

        MaximumPages = pages;
        return true;
    }

    /// <summary>Allocates one zeroed frame for the domain; false at the ceiling or when the machine is full.</summary>
    public bool TryAllocate(out ulong mfn)
    {
        mfn = 0;
        if (CurrentPages >= MaximumPages || !_machine.TryAllocateFrame(_owner, out mfn))
        {
            return false;
        }

        CurrentPages++;
        return true;
    }

    /// <summary>
    /// Allocates an extent of 2^<paramref name="order"/> zeroed frames, machine-contiguous and
    /// aligned to their size as Xen's buddy allocator hands them out; false at the ceiling or when
    /// no such run is free. Order 0 is a single frame.
    /// </summary>
    public bool TryAllocateExtent(int order, out ulong baseMfn)
    {
        baseMfn = 0;
        if (order == 0)
        {
            return TryAllocate(out baseMfn);
        }

        ulong count = 1ul << order;
        if (CurrentPages + count > MaximumPages)
        {
            return false;
        }

        var frames = _machine.Frames;
        for (ulong start = 0; start + count <= frames.FrameCount; start += count)
        {
            if (!IsFreeRun(start, count))
            {
                continue;
            }

            for (ulong i = 0; i < count; i++)
            {
                _machine.TryAllocateFrameAt(_owner, start + i);
            }

            CurrentPages += count;
            baseMfn = start;
            return true;
        }

        return false;
    }

    private bool IsFreeRun(ulong start, ulong count)
    {
        for (ulong i = 0; i < count; i++)
        {
            if (_machine.Frames[start + i].IsAllocated)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns an extent this object just allocated (used when the guest's buffer faulted).</summary>
    public void ReleaseExtent(ulong baseMfn, int order)
    {
        for (ulong i = 0; i < 1ul << order; i++)
        {
            Release(baseMfn + i);
        }
    }

    /// <summary>
    /// Gives back the 2^<paramref name="order"/> frames starting at <paramref name="baseMfn"/>, one
    /// by one as Xen does; stops at the first frame that is not the domain's or still in use (the
    /// ones before it stay released) and returns false then.
    /// </summary>
    public bool TryReleaseExtent(ulong baseMfn, int order)
    {
        for (ulong i = 0; i < 1ul << order; i++)
        {
            if (!TryRelease(baseMfn + i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns a frame this object just allocated (used when the guest's buffer faulted).</summary>
    public void Release(ulong mfn)
    {
        _machine.Frames.Free(mfn);
        _machine.MachineToPhys[mfn] = ulong.MaxValue;
        CurrentPages--;
    }

    /// <summary>True when the domain may take one more frame (Xen's tot_pages &lt; max_pages).</summary>
    public bool HasHeadroom => CurrentPages < MaximumPages;

    /// <summary>
    /// GNTTABOP_transfer's giving half: the frame leaves the domain (it must be the domain's own and
    /// unused, <see cref="Memory.FrameTable.TrySteal"/>), its M2P entry becomes invalid and the domain
    /// holds one frame fewer. False, and nothing changed, otherwise. Called holding the frame lock.
    /// </summary>
    public bool TryGiveAway(ulong mfn)
    {
        if (!_machine.Frames.TrySteal(mfn, _owner))
        {
            return false;
        }

        _machine.MachineToPhys[mfn] = ulong.MaxValue;
        CurrentPages--;
        return true;
    }

    /// <summary>
    /// GNTTABOP_transfer's receiving half: a frame given away by another domain becomes this
    /// domain's, counted in its reservation. The caller checked <see cref="HasHeadroom"/> and holds the frame lock.
    /// </summary>
    public void TakeTransferred(ulong mfn)
    {
        if (!HasHeadroom)
        {
            throw new InvalidOperationException($"{_owner} has no headroom for mfn {mfn:x}");
        }

        _machine.Frames.Assign(mfn, _owner);
        CurrentPages++;
    }

    /// <summary>Gives a guest frame back to the machine when it is the domain's and unused; false otherwise.</summary>
    public bool TryRelease(ulong mfn)
    {
        var frames = _machine.Frames;
        if (!frames.Contains(mfn))
        {
            return false;
        }

        var f = frames[mfn];
        if (!f.IsAllocated || f.Owner != _owner || f.RefCount != 1 || f.TypeCount != 0 || f.IsPinned)
        {
            return false;
        }

        Release(mfn);
        return true;
    }
}
