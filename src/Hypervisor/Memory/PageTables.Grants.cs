using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// Grant mappings in L1 tables. A grant PTE carries bit 62, which guests may never set
/// themselves; its references belong to the grant table (taken at map, dropped at unmap), so the
/// page-table rules take none for it and refuse to overwrite it with an ordinary update (Xen
/// crashes a domain that implicitly unmaps a grant; we refuse the update instead).
/// </summary>
public sealed partial class PageTables
{
    /// <summary>Writes a grant mapping of <paramref name="mfn"/> at <paramref name="va"/> in the vCPU's current tables.</summary>
    public PageTableError InstallGrantMapping(PvDomainMemory domain, PvVcpuMmu vcpu, ulong va, ulong mfn, bool readOnly, TlbFlushRequests flush)
    {
        var error = GuestPageWalk.FindL1Slot(_memory, domain.Width, vcpu.CurrentRootMfn, va, out var l1, out var slot);
        if (error != PageTableError.None)
        {
            return error;
        }

        error = InstallGrantEntry(domain, l1, slot, mfn, readOnly);
        if (error == PageTableError.None)
        {
            flush.RequestInvlpgLocal(va);
        }

        return error;
    }

    /// <summary>
    /// GNTMAP_contains_pte: writes a grant mapping of <paramref name="mfn"/> into the PTE at machine
    /// address <paramref name="pteAddress"/>, which must lie in an L1 table of the domain. The
    /// virtual address is not known, so the vCPU's TLB is flushed whole.
    /// </summary>
    public PageTableError InstallGrantMappingAtPte(PvDomainMemory domain, ulong pteAddress, ulong mfn, bool readOnly, TlbFlushRequests flush)
    {
        if (!TryPteSlot(pteAddress, out var l1, out var slot))
        {
            return PageTableError.BadAddress;
        }

        var error = InstallGrantEntry(domain, l1, slot, mfn, readOnly);
        if (error == PageTableError.None)
        {
            flush.RequestFlushLocal();
        }

        return error;
    }

    /// <summary>Removes the grant mapping of <paramref name="mfn"/> from the PTE at machine address <paramref name="pteAddress"/>.</summary>
    public PageTableError RemoveGrantMappingAtPte(PvDomainMemory domain, ulong pteAddress, ulong mfn, TlbFlushRequests flush)
    {
        if (!TryPteSlot(pteAddress, out var l1, out var slot) || _frames[l1].Owner != domain.Id || _frames[l1].Type != PageType.L1)
        {
            return PageTableError.BadAddress;
        }

        var error = RemoveGrantEntry(l1, slot, mfn);
        if (error == PageTableError.None)
        {
            flush.RequestFlushLocal();
        }

        return error;
    }

    private bool TryPteSlot(ulong pteAddress, out ulong l1, out int slot)
    {
        l1 = pteAddress >> PageGeometry.PageShift;
        slot = (int)((pteAddress & 0xFFF) / 8);
        return (pteAddress & 7) == 0 && _frames.Contains(l1);
    }

    private PageTableError InstallGrantEntry(PvDomainMemory domain, ulong l1, int slot, ulong mfn, bool readOnly)
    {
        ref var f = ref _frames[l1];
        if (f.Type != PageType.L1 || f.TypeCount == 0 || f.Owner != domain.Id)
        {
            return PageTableError.NoL1ForAddress;
        }

        ulong old = _memory.ReadEntry(l1, slot);
        if ((old & PteFlags.Present) != 0 && (old & PteFlags.GrantTableMapping) != 0)
        {
            return PageTableError.GrantMappingInPlace;
        }

        ulong entry = (mfn << PageGeometry.PageShift) | PteFlags.Present | PteFlags.Accessed | PteFlags.Dirty | PteFlags.GrantTableMapping
            | (readOnly ? 0 : PteFlags.ReadWrite);
        _memory.WriteEntry(l1, slot, entry);
        PutFromL1Entry(old);
        return PageTableError.None;
    }

    /// <summary>Removes the grant mapping of <paramref name="mfn"/> at <paramref name="va"/>; refused when another entry is there.</summary>
    public PageTableError RemoveGrantMapping(PvDomainMemory domain, PvVcpuMmu vcpu, ulong va, ulong mfn, TlbFlushRequests flush)
    {
        var error = GuestPageWalk.FindL1Slot(_memory, domain.Width, vcpu.CurrentRootMfn, va, out var l1, out var slot);
        if (error != PageTableError.None)
        {
            return error;
        }

        error = RemoveGrantEntry(l1, slot, mfn);
        if (error == PageTableError.None)
        {
            flush.RequestInvlpgLocal(va);
        }

        return error;
    }

    private PageTableError RemoveGrantEntry(ulong l1, int slot, ulong mfn)
    {
        ulong old = _memory.ReadEntry(l1, slot);
        if ((old & PteFlags.Present) == 0 || (old & PteFlags.GrantTableMapping) == 0 || PteFlags.FrameOf(old) != mfn)
        {
            return PageTableError.NoL1ForAddress;
        }

        _memory.WriteEntry(l1, slot, 0);
        return PageTableError.None;
    }
}
