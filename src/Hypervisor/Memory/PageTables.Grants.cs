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
        flush.RequestInvlpgLocal(va);
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

        ulong old = _memory.ReadEntry(l1, slot);
        if ((old & PteFlags.Present) == 0 || (old & PteFlags.GrantTableMapping) == 0 || PteFlags.FrameOf(old) != mfn)
        {
            return PageTableError.NoL1ForAddress;
        }

        _memory.WriteEntry(l1, slot, 0);
        flush.RequestInvlpgLocal(va);
        return PageTableError.None;
    }
}
