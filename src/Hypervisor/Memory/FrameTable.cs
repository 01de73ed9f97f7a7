using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// The frame table: one <see cref="FrameInfo"/> per machine frame, plus the free-frame pool.
///
/// Invariants kept here:
/// - a free frame has owner DOMID_INVALID, no references, type None and no flags;
/// - an allocated frame holds exactly one general reference for its allocation until it is freed,
///   and can only be freed when that is the last reference and its type count is zero;
/// - a general reference count never goes below zero (a put without a get is a host bug);
/// - a relinquished frame (its owner destroyed while others held references) takes no new
///   references and is freed by the put that drops its last one;
/// - a frame in a page transfer (<see cref="TrySteal"/>) is allocated to no one: it holds only its
///   allocation reference, no type and no pin, and leaves that state within the same hold of the
///   machine's frame lock, either to its receiver (<see cref="Assign"/>) or to the pool (<see cref="Free"/>).
/// Type rules (type changes only at type count zero, validation) live in <see cref="PageTables"/>.
/// </summary>
public sealed class FrameTable
{
    private readonly FrameInfo[] _frames;
    private ulong _lowestFreeHint;
    private int _freeCount;

    /// <summary>Creates the table for <paramref name="frameCount"/> frames; frames below <paramref name="reservedFrames"/> belong to Xen.</summary>
    public FrameTable(ulong frameCount, ulong reservedFrames = 1)
    {
        _frames = new FrameInfo[frameCount];
        for (ulong mfn = 0; mfn < frameCount; mfn++)
        {
            _frames[mfn] = mfn < reservedFrames
                ? new FrameInfo { Owner = DomId.Xen, RefCount = 1, Flags = FrameFlags.Allocated, SharedWith = DomId.Invalid }
                : new FrameInfo { Owner = DomId.Invalid, SharedWith = DomId.Invalid };
        }

        _freeCount = (int)(frameCount - Math.Min(reservedFrames, frameCount));
        _lowestFreeHint = reservedFrames;
    }

    /// <summary>Number of frames in the table.</summary>
    public ulong FrameCount => (ulong)_frames.Length;

    /// <summary>Number of frames not allocated to anyone.</summary>
    public int FreeFrames => _freeCount;

    /// <summary>True when <paramref name="mfn"/> names a frame of the table.</summary>
    public bool Contains(ulong mfn) => mfn < (ulong)_frames.Length;

    /// <summary>The bookkeeping of frame <paramref name="mfn"/>, by reference.</summary>
    public ref FrameInfo this[ulong mfn] => ref _frames[mfn];

    /// <summary>Takes the lowest free frame for <paramref name="owner"/>; false when memory is exhausted.</summary>
    public bool TryAllocate(DomId owner, out ulong mfn)
    {
        for (mfn = _lowestFreeHint; mfn < (ulong)_frames.Length; mfn++)
        {
            if (!_frames[mfn].IsAllocated)
            {
                _lowestFreeHint = mfn + 1;
                Claim(owner, mfn);
                return true;
            }
        }

        _lowestFreeHint = (ulong)_frames.Length;
        return false;
    }

    /// <summary>Takes a specific free frame for <paramref name="owner"/>; false when it is in use or does not exist.</summary>
    public bool TryAllocateAt(DomId owner, ulong mfn)
    {
        if (!Contains(mfn) || _frames[mfn].IsAllocated)
        {
            return false;
        }

        Claim(owner, mfn);
        return true;
    }

    private void Claim(DomId owner, ulong mfn)
    {
        _frames[mfn] = new FrameInfo { Owner = owner, RefCount = 1, Flags = FrameFlags.Allocated, SharedWith = DomId.Invalid };
        _freeCount--;
    }

    /// <summary>Returns a frame to the pool; it must hold only its allocation reference and no type.</summary>
    public void Free(ulong mfn)
    {
        ref var f = ref _frames[mfn];
        if (!f.IsAllocated || f.RefCount != 1 || f.TypeCount != 0 || f.IsPinned || (f.Flags & FrameFlags.Relinquished) != 0)
        {
            throw new InvalidOperationException($"mfn {mfn:x} cannot be freed while in use: {f}");
        }

        f = new FrameInfo { Owner = DomId.Invalid, SharedWith = DomId.Invalid };
        _freeCount++;
        _lowestFreeHint = Math.Min(_lowestFreeHint, mfn);
    }

    /// <summary>
    /// Drops the allocation reference of a frame whose owner is being destroyed: the frame is freed
    /// now when nothing else holds it, otherwise it is marked relinquished and freed by the last
    /// <see cref="PutPage"/>. Returns true when it was freed now.
    /// </summary>
    public bool Relinquish(ulong mfn)
    {
        ref var f = ref _frames[mfn];
        if (!f.IsAllocated || (f.Flags & FrameFlags.Relinquished) != 0)
        {
            throw new InvalidOperationException($"mfn {mfn:x} cannot be relinquished: {f}");
        }

        if (f.RefCount == 1 && f.TypeCount == 0 && !f.IsPinned)
        {
            f.Flags &= ~FrameFlags.Validated;
            Free(mfn);
            return true;
        }

        f.Flags |= FrameFlags.Relinquished;
        f.RefCount--;
        return false;
    }

    /// <summary>
    /// Takes a frame away from <paramref name="owner"/> for GNTTABOP_transfer, as Xen's steal_page:
    /// it must be the owner's own frame (not a hypervisor page shared with it), hold nothing but its
    /// allocation reference (no mapping, grant or other reference), have no type count and no pin.
    /// Afterwards it is allocated to no one, untyped, until <see cref="Assign"/> or <see cref="Free"/>.
    /// False, and nothing changed, when any of that does not hold.
    /// </summary>
    public bool TrySteal(ulong mfn, DomId owner)
    {
        if (!Contains(mfn))
        {
            return false;
        }

        ref var f = ref _frames[mfn];
        const FrameFlags Forbidden = FrameFlags.Relinquished | FrameFlags.SharedWithGuest | FrameFlags.Pinned;
        if (!f.IsAllocated || f.Owner != owner || owner == DomId.Xen || f.RefCount != 1 || f.TypeCount != 0 || (f.Flags & Forbidden) != 0)
        {
            return false;
        }

        f = new FrameInfo { Owner = DomId.Invalid, RefCount = 1, Flags = FrameFlags.Allocated, SharedWith = DomId.Invalid };
        return true;
    }

    /// <summary>Gives a frame taken by <see cref="TrySteal"/> to its new owner.</summary>
    public void Assign(ulong mfn, DomId owner)
    {
        ref var f = ref _frames[mfn];
        if (!f.IsAllocated || f.Owner != DomId.Invalid || f.RefCount != 1 || f.TypeCount != 0)
        {
            throw new InvalidOperationException($"mfn {mfn:x} is not in a transfer: {f}");
        }

        f.Owner = owner;
    }

    /// <summary>Takes a general reference on a frame owned by <paramref name="owner"/>; false when it is not theirs.</summary>
    public bool TryGetPage(ulong mfn, DomId owner)
    {
        if (!Contains(mfn))
        {
            return false;
        }

        ref var f = ref _frames[mfn];
        var usable = f.IsAllocated && (f.Flags & FrameFlags.Relinquished) == 0
            && (f.Owner == owner || ((f.Flags & FrameFlags.SharedWithGuest) != 0 && f.SharedWith == owner));
        if (!usable)
        {
            return false;
        }

        f.RefCount++;
        return true;
    }

    /// <summary>Drops a general reference taken by <see cref="TryGetPage"/>.</summary>
    public void PutPage(ulong mfn)
    {
        ref var f = ref _frames[mfn];
        if ((f.Flags & FrameFlags.Relinquished) != 0 && f.RefCount == 1 && f.TypeCount == 0)
        {
            // The last holder of a destroyed domain's frame lets go of it.
            f = new FrameInfo { Owner = DomId.Invalid, SharedWith = DomId.Invalid };
            _freeCount++;
            _lowestFreeHint = Math.Min(_lowestFreeHint, mfn);
            return;
        }

        if (f.RefCount <= 1)
        {
            throw new InvalidOperationException($"mfn {mfn:x}: put_page would drop the allocation reference: {f}");
        }

        f.RefCount--;
    }
}
