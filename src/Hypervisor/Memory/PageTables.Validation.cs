using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>Whole-table validation and release (invariants 2, 5, 6, 7 of <see cref="PageTables"/>).</summary>
public sealed partial class PageTables
{
    /// <summary>L1 bits an ordinary domain may not set: PWT, PCD, PAT and Xen's grant-mapping bit 62.</summary>
    private const ulong L1ForbiddenUnprivileged = PteFlags.WriteThrough | PteFlags.CacheDisable | PteFlags.PageSizeOrPat | PteFlags.GrantTableMapping;

    /// <summary>L1 bits even a domain allowed to choose cache attributes may not set.</summary>
    private const ulong L1ForbiddenPrivileged = PteFlags.GrantTableMapping;

    /// <summary>Upper-level bits nobody may set: PWT, PCD, PS (no superpages) and G.</summary>
    private const ulong UpperForbidden = PteFlags.WriteThrough | PteFlags.CacheDisable | PteFlags.PageSizeOrPat | PteFlags.Global;

    /// <summary>PAE L3 bits nobody may set: PWT, PCD, PS, G and everything in bits 52-63, NX included.</summary>
    private const ulong PaeL3Forbidden = 0x198ul | (0xFFFul << 52);

    private static ulong ForbiddenBits(PvDomainMemory domain, PageType level) => level switch
    {
        PageType.L1 => domain.IsPrivileged ? L1ForbiddenPrivileged : L1ForbiddenUnprivileged,
        PageType.L3 when domain.Width == GuestWidth.Bits32Pae => PaeL3Forbidden,
        _ => UpperForbidden,
    };

    /// <summary>True when slot <paramref name="slot"/> of a table belongs to the hypervisor, not the guest.</summary>
    private static bool IsXenSlot(PvDomainMemory domain, PageType level, bool paeXenL2, int slot) => domain.Width switch
    {
        GuestWidth.Bits64 => level == PageType.L4 && slot >= HypervisorLayout.FirstXenL4Slot && slot <= HypervisorLayout.LastXenL4Slot,
        _ => (level == PageType.L3 && slot >= HypervisorLayout.PaeL3Entries)
            || (level == PageType.L2 && paeXenL2 && slot >= HypervisorLayout.FirstXenPaeL2Slot),
    };

    private PageTableError Validate(ulong mfn, PvDomainMemory domain, PageType type)
    {
        if (type == PageType.SegDesc)
        {
            return ValidateDescriptors(mfn, domain);
        }

        bool paeXenL2 = _frames[mfn].IsPaeXenL2;
        bool paeL3 = type == PageType.L3 && domain.Width == GuestWidth.Bits32Pae;
        for (int i = 0; i < PageGeometry.EntriesPerTable; i++)
        {
            if (IsXenSlot(domain, type, paeXenL2, i))
            {
                continue;
            }

            ulong entry = _memory.ReadEntry(mfn, i);
            var error = paeL3 && i == HypervisorLayout.PaeXenL3Slot
                ? GetFromPaeSlot3(entry, domain)
                : GetFromEntry(type, entry, mfn, domain, domain.Id);
            if (error != PageTableError.None)
            {
                // Invariant 2: release what entries 0..i-1 took.
                for (int j = i - 1; j >= 0; j--)
                {
                    if (!IsXenSlot(domain, type, paeXenL2, j))
                    {
                        PutFromEntry(type, _memory.ReadEntry(mfn, j), mfn);
                    }
                }

                return error;
            }
        }

        // The reserved slots hold the hypervisor's entries, never the guest's: the read-only M2P
        // in 64-bit L4 slot 256, the read-only compat M2P from slot 428 of a 32-bit guest's slot-3
        // L2 (0xF5800000), nothing elsewhere.
        var compatM2p = _machine.CompatM2pL2Entries;
        for (int i = 0; i < PageGeometry.EntriesPerTable; i++)
        {
            if (IsXenSlot(domain, type, paeXenL2, i))
            {
                bool m2pSlot = domain.Width == GuestWidth.Bits64 && type == PageType.L4 && i == HypervisorLayout.FirstXenL4Slot;
                int compatSlot = type == PageType.L2 ? i - HypervisorLayout.FirstXenPaeL2Slot : -1;
                _memory.WriteEntry(mfn, i, m2pSlot ? _machine.XenL4Slot256 : compatSlot >= 0 && compatSlot < compatM2p.Count ? compatM2p[compatSlot] : 0);
            }
        }

        return PageTableError.None;
    }

    private void ReleaseTable(ulong mfn, PvDomainMemory domain, PageType type, bool paeXenL2)
    {
        for (int i = 0; i < PageGeometry.EntriesPerTable; i++)
        {
            if (!IsXenSlot(domain, type, paeXenL2, i))
            {
                PutFromEntry(type, _memory.ReadEntry(mfn, i), mfn);
            }
        }
    }

    /// <summary>Takes what a present entry of a table of <paramref name="level"/> needs.</summary>
    private PageTableError GetFromEntry(PageType level, ulong entry, ulong tableMfn, PvDomainMemory domain, DomId pageOwner) =>
        level == PageType.L1 ? GetFromL1Entry(entry, domain, pageOwner) : GetFromUpperEntry(level, entry, tableMfn, domain);

    private void PutFromEntry(PageType level, ulong entry, ulong tableMfn)
    {
        if (level == PageType.L1)
        {
            PutFromL1Entry(entry);
        }
        else
        {
            PutFromUpperEntry(level, entry, tableMfn);
        }
    }

    private PageTableError GetFromL1Entry(ulong entry, PvDomainMemory domain, DomId pageOwner)
    {
        if ((entry & PteFlags.Present) == 0)
        {
            return PageTableError.None;
        }

        if ((entry & ForbiddenBits(domain, PageType.L1)) != 0)
        {
            return PageTableError.ForbiddenFlags;
        }

        ulong frame = PteFlags.FrameOf(entry);
        if (!_frames.Contains(frame) || _frames[frame].Owner == DomId.Io)
        {
            return PageTableError.NotRam;
        }

        if (!_frames.TryGetPage(frame, pageOwner))
        {
            return PageTableError.FrameNotOwned;
        }

        if ((entry & PteFlags.ReadWrite) != 0 && GetPageType(frame, domain, PageType.Writable) != PageTableError.None)
        {
            // Invariant 3: the frame is a table (or descriptor) page.
            _frames.PutPage(frame);
            return PageTableError.WritableMappingOfPageTable;
        }

        return PageTableError.None;
    }

    private void PutFromL1Entry(ulong entry)
    {
        if ((entry & PteFlags.Present) == 0 || (entry & PteFlags.GrantTableMapping) != 0)
        {
            // Grant mappings hold no page-table references: the grant table owns them.
            return;
        }

        ulong frame = PteFlags.FrameOf(entry);
        if ((entry & PteFlags.ReadWrite) != 0)
        {
            PutPageType(frame);
        }

        _frames.PutPage(frame);
    }

    private PageTableError GetFromUpperEntry(PageType level, ulong entry, ulong tableMfn, PvDomainMemory domain)
    {
        if ((entry & PteFlags.Present) == 0)
        {
            return PageTableError.None;
        }

        if ((entry & ForbiddenBits(domain, level)) != 0)
        {
            return PageTableError.ForbiddenFlags;
        }

        ulong target = PteFlags.FrameOf(entry);
        if (!_frames.Contains(target) || _frames[target].Owner != domain.Id)
        {
            return PageTableError.BadLowerTable;
        }

        var error = GetPageAndType(target, domain, level - 1);
        if (error == PageTableError.TypeConflict && AllowsLinear(domain, level) && (target == tableMfn || _frames[target].Type == level))
        {
            return GetLinear(level, entry, tableMfn, target, domain);
        }

        return error switch
        {
            PageTableError.TypeConflict or PageTableError.NotOwner => PageTableError.BadLowerTable,
            _ => error,
        };
    }

    private static bool AllowsLinear(PvDomainMemory domain, PageType level) =>
        level == PageType.L2 || domain.Width == GuestWidth.Bits64;

    private PageTableError GetLinear(PageType level, ulong entry, ulong tableMfn, ulong target, PvDomainMemory domain)
    {
        // Invariant 5.
        if ((entry & PteFlags.ReadWrite) != 0)
        {
            return PageTableError.BadLinearMapping;
        }

        if (target == tableMfn)
        {
            return PageTableError.None;
        }

        ref var table = ref _frames[tableMfn];
        ref var t = ref _frames[target];
        if (table.LinearCount < 0 || t.LinearCount > 0 || t.Type != level || !t.IsValidated || t.TypeCount == 0)
        {
            return PageTableError.BadLinearMapping;
        }

        if (!_frames.TryGetPage(target, domain.Id))
        {
            return PageTableError.BadLinearMapping;
        }

        t.TypeCount++;
        table.LinearCount++;
        t.LinearCount--;
        return PageTableError.None;
    }

    private void PutFromUpperEntry(PageType level, ulong entry, ulong tableMfn)
    {
        if ((entry & PteFlags.Present) == 0)
        {
            return;
        }

        ulong target = PteFlags.FrameOf(entry);
        if (target == tableMfn)
        {
            return;
        }

        if (_frames[target].Type == level)
        {
            _frames[tableMfn].LinearCount--;
            _frames[target].LinearCount++;
        }

        PutPageAndType(target);
    }

    /// <summary>PAE L3 slot 3: present, an L2 that takes Xen's compat mappings, used by no other L3.</summary>
    private PageTableError GetFromPaeSlot3(ulong entry, PvDomainMemory domain)
    {
        if ((entry & PteFlags.Present) == 0)
        {
            return PageTableError.BadPaeSlot3;
        }

        if ((entry & PaeL3Forbidden) != 0)
        {
            return PageTableError.ForbiddenFlags;
        }

        ulong target = PteFlags.FrameOf(entry);
        if (!_frames.Contains(target) || _frames[target].Owner != domain.Id)
        {
            return PageTableError.BadLowerTable;
        }

        var error = GetPageAndType(target, domain, PageType.L2, paeXenL2: true);
        if (error != PageTableError.None)
        {
            return error == PageTableError.TypeConflict ? PageTableError.BadPaeSlot3 : error;
        }

        if (_frames[target].TypeCount != 1)
        {
            PutPageAndType(target);
            return PageTableError.BadPaeSlot3;
        }

        return PageTableError.None;
    }

    /// <summary>Checks the 512 descriptors of a GDT/LDT page with <see cref="DescriptorRules"/>.</summary>
    private PageTableError ValidateDescriptors(ulong mfn, PvDomainMemory domain)
    {
        for (int i = 0; i < PageGeometry.EntriesPerTable; i++)
        {
            ulong descriptor = _memory.ReadEntry(mfn, i);
            ulong kept = DescriptorRules.WithGuestDpl(descriptor, domain.Width);
            if (!DescriptorRules.IsAcceptable(kept, domain.Width))
            {
                return PageTableError.BadArgument;
            }

            if (kept != descriptor)
            {
                _memory.WriteEntry(mfn, i, kept);
            }
        }

        return PageTableError.None;
    }
}
