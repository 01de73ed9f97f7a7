using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// Xen's page-type rules for PV guests: typed references to frames, validation of page-table pages,
/// pinning, and validated updates of single entries.
///
/// Invariants (checked where the state changes, in this file and its partials):
/// 1. A frame changes type only while its type count is zero; a reference of a different type
///    while the count is non-zero is refused (<see cref="PageTableError.TypeConflict"/>).
/// 2. A frame with a non-zero type count of a page-table or descriptor type is validated: every
///    present entry holds the references it needs. Validation is all-or-nothing: if entry i fails,
///    the references taken for entries 0..i-1 are released before the refusal is returned, so the
///    frame table is exactly as before the attempt.
/// 3. No page-table or descriptor-table frame is mapped writable: a writable L1 entry holds a
///    Writable type reference on its frame, which (by 1) cannot coexist with a table type.
/// 4. Page-table entries reference only frames the page owner owns (or hypervisor pages shared
///    with it); upper-level entries only frames of the table's own domain.
/// 5. Linear (recursive) entries are read-only, point at a validated table of the same level of
///    the same domain, and are one level deep: a table that holds linear entries is never itself
///    the target of another table's linear entry (LinearCount &gt; 0 vs. &lt; 0). A table mapping
///    itself takes no reference.
/// 6. When a table's type count drops to zero its entries' references are released and it is no
///    longer validated; a pinned table keeps one type reference and one general reference.
/// 7. Hypervisor-reserved slots (64-bit L4 slots 256-271, PAE L3 slots 3 and up through updates,
///    PAE L2 slots 428 and up of the slot-3 L2) are never taken from the guest.
/// </summary>
public sealed partial class PageTables
{
    private readonly Machine _machine;
    private readonly FrameTable _frames;
    private readonly MachineMemory _memory;

    public PageTables(Machine machine)
    {
        _machine = machine;
        _frames = machine.Frames;
        _memory = machine.Memory;
    }

    /// <summary>Takes a general reference and a type reference of <paramref name="type"/> on a frame of <paramref name="domain"/>.</summary>
    public PageTableError GetPageAndType(ulong mfn, PvDomainMemory domain, PageType type, bool paeXenL2 = false)
    {
        if (!_frames.TryGetPage(mfn, domain.Id))
        {
            return PageTableError.NotOwner;
        }

        var error = GetPageType(mfn, domain, type, paeXenL2);
        if (error != PageTableError.None)
        {
            _frames.PutPage(mfn);
        }

        return error;
    }

    /// <summary>Drops the type reference and the general reference taken by <see cref="GetPageAndType"/>.</summary>
    public void PutPageAndType(ulong mfn)
    {
        PutPageType(mfn);
        _frames.PutPage(mfn);
    }

    /// <summary>
    /// Takes a type reference. At type count zero the frame takes the new type and, for table and
    /// descriptor types, its contents are validated; otherwise the type must already match.
    /// </summary>
    public PageTableError GetPageType(ulong mfn, PvDomainMemory domain, PageType type, bool paeXenL2 = false)
    {
        ref var f = ref _frames[mfn];
        if (f.TypeCount > 0)
        {
            // Invariant 1: a held type is never changed.
            if (f.Type != type || f.IsPaeXenL2 != paeXenL2)
            {
                return PageTableError.TypeConflict;
            }

            if (!f.IsValidated)
            {
                // Only a table under validation has a count without the flag; using it as its own
                // lower level is the linear case, handled by the caller.
                return PageTableError.TypeConflict;
            }

            f.TypeCount++;
            return PageTableError.None;
        }

        var previousType = f.Type;
        f.Type = type;
        f.TypeCount = 1;
        f.Flags &= ~(FrameFlags.Validated | FrameFlags.PaeXenL2);
        if (paeXenL2)
        {
            f.Flags |= FrameFlags.PaeXenL2;
        }

        if (!type.NeedsValidation())
        {
            f.Flags |= FrameFlags.Validated;
            return PageTableError.None;
        }

        var error = Validate(mfn, domain, type);
        ref var after = ref _frames[mfn];
        if (error != PageTableError.None)
        {
            // Invariant 2: a failed validation leaves the frame as it was.
            after.TypeCount = 0;
            after.Type = previousType;
            after.Flags &= ~(FrameFlags.Validated | FrameFlags.PaeXenL2);
            return error;
        }

        after.Flags |= FrameFlags.Validated;
        return PageTableError.None;
    }

    /// <summary>Drops a type reference; at zero a table releases what its entries hold (invariant 6).</summary>
    public void PutPageType(ulong mfn)
    {
        ref var f = ref _frames[mfn];
        if (f.TypeCount == 0)
        {
            throw new InvalidOperationException($"mfn {mfn:x}: put_page_type without a type reference: {f}");
        }

        f.TypeCount--;
        if (f.TypeCount != 0 || !f.Type.NeedsValidation())
        {
            return;
        }

        var type = f.Type;
        bool wasValidated = f.IsValidated;
        bool paeXenL2 = f.IsPaeXenL2;
        f.Flags &= ~(FrameFlags.Validated | FrameFlags.PaeXenL2);
        if (wasValidated && type.IsPageTable())
        {
            var owner = _machine.Find(f.Owner)
                ?? throw new InvalidOperationException($"mfn {mfn:x}: table owned by unknown domain {f.Owner}");
            ReleaseTable(mfn, owner, type, paeXenL2);
        }
    }

    /// <summary>Pins a frame as a table of <paramref name="type"/> (MMUEXT_PIN_Ln_TABLE).</summary>
    public PageTableError Pin(ulong mfn, PageType type, PvDomainMemory domain)
    {
        if (domain.Width == GuestWidth.Bits32Pae && type == PageType.L4)
        {
            // Xen silently ignores PIN_L4_TABLE from 32-bit guests.
            return PageTableError.None;
        }

        if (!_frames.Contains(mfn) || _frames[mfn].Owner != domain.Id)
        {
            return PageTableError.NotOwner;
        }

        if (type == PageType.L3 && domain.Width == GuestWidth.Bits32Pae && !domain.PaeExtendedCr3 && mfn >= 1ul << 20)
        {
            return PageTableError.PaeL3Above4Gb;
        }

        var error = GetPageAndType(mfn, domain, type);
        if (error != PageTableError.None)
        {
            return error;
        }

        ref var f = ref _frames[mfn];
        if (f.IsPinned)
        {
            PutPageAndType(mfn);
            return PageTableError.AlreadyPinned;
        }

        f.Flags |= FrameFlags.Pinned;
        return PageTableError.None;
    }

    /// <summary>Unpins a frame (MMUEXT_UNPIN_TABLE), dropping the references the pin held.</summary>
    public PageTableError Unpin(ulong mfn, PvDomainMemory domain)
    {
        if (!_frames.Contains(mfn) || _frames[mfn].Owner != domain.Id)
        {
            return PageTableError.NotOwner;
        }

        ref var f = ref _frames[mfn];
        if (!f.IsPinned)
        {
            return PageTableError.NotPinned;
        }

        f.Flags &= ~FrameFlags.Pinned;
        PutPageAndType(mfn);
        return PageTableError.None;
    }
}
