using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>Validated updates of single entries and base pointers (mmu_update, update_va_mapping, new_baseptr).</summary>
public sealed partial class PageTables
{
    /// <summary>Bits whose change alone needs no new references: A, D, the software bits, G, US, NX.</summary>
    private const ulong FastPathBits = PteFlags.Accessed | PteFlags.Dirty | PteFlags.AvailLow | PteFlags.AvailHigh
        | PteFlags.Global | PteFlags.User | PteFlags.NoExecute;

    /// <summary>
    /// Writes <paramref name="value"/> into slot <paramref name="slot"/> of table frame
    /// <paramref name="tableMfn"/>, a validated table of <paramref name="tableOwner"/>, after
    /// validating it; mapped frames must belong to <paramref name="pageOwner"/>. On refusal nothing
    /// changes. Upper-level updates request a TLB flush.
    /// </summary>
    public PageTableError UpdateEntry(ulong tableMfn, int slot, ulong value, PvDomainMemory tableOwner, DomId pageOwner, bool preserveAccessedDirty, TlbFlushRequests flush)
    {
        ref var f = ref _frames[tableMfn];
        if (!f.Type.IsPageTable() || f.TypeCount == 0 || !f.IsValidated)
        {
            throw new InvalidOperationException($"mfn {tableMfn:x} is not a validated table: {f}");
        }

        var level = f.Type;
        ulong old = _memory.ReadEntry(tableMfn, slot);
        if (preserveAccessedDirty)
        {
            value |= old & (PteFlags.Accessed | PteFlags.Dirty);
        }

        if (IsXenSlot(tableOwner, level, f.IsPaeXenL2, slot) || (level == PageType.L3 && tableOwner.Width == GuestWidth.Bits32Pae && slot >= HypervisorLayout.PaeXenL3Slot))
        {
            // Invariant 7.
            return level == PageType.L2 ? PageTableError.HypervisorL2Slot : PageTableError.HypervisorSlot;
        }

        if ((value & PteFlags.Present) != 0)
        {
            if ((value & ForbiddenBits(tableOwner, level)) != 0)
            {
                return PageTableError.ForbiddenFlags;
            }

            bool sameMapping = (old & PteFlags.Present) != 0
                && PteFlags.FrameOf(old) == PteFlags.FrameOf(value)
                && ((old ^ value) & ~FastPathBits & ~PteFlags.AddressMask) == 0;
            if (sameMapping)
            {
                _memory.WriteEntry(tableMfn, slot, value);
                return PageTableError.None;
            }

            var error = GetFromEntry(level, value, tableMfn, tableOwner, pageOwner);
            if (error != PageTableError.None)
            {
                return error;
            }
        }

        _memory.WriteEntry(tableMfn, slot, value);
        PutFromEntry(level, old, tableMfn);
        if (level != PageType.L1)
        {
            flush.RequestFlushAll();
        }

        return PageTableError.None;
    }

    /// <summary>
    /// Emulates a guest write of <paramref name="size"/> (4 or 8) bytes at machine address
    /// <paramref name="machineAddress"/> in a read-only-mapped L1 table as a validated update (the
    /// writable-page-tables path). <see cref="PageTableError.TypeConflict"/> when the frame is not a
    /// validated L1 of the domain: the caller then reflects the page fault.
    /// </summary>
    public PageTableError EmulateL1Write(PvDomainMemory domain, ulong machineAddress, ulong value, int size, TlbFlushRequests flush)
    {
        ulong mfn = machineAddress >> PageGeometry.PageShift;
        if (!_frames.Contains(mfn) || _frames[mfn].Owner != domain.Id)
        {
            return PageTableError.NotOwner;
        }

        ref var f = ref _frames[mfn];
        if (f.Type != PageType.L1 || f.TypeCount == 0 || !f.IsValidated || (size != 4 && size != 8) || (machineAddress & (ulong)(size - 1)) != 0)
        {
            return PageTableError.TypeConflict;
        }

        int slot = (int)((machineAddress & 0xFFF) >> 3);
        ulong entry = value;
        if (size == 4)
        {
            ulong old = _memory.ReadEntry(mfn, slot);
            entry = (machineAddress & 4) == 0
                ? (old & 0xFFFF_FFFF_0000_0000ul) | (uint)value
                : (old & 0xFFFF_FFFFul) | ((ulong)(uint)value << 32);
        }

        return UpdateEntry(mfn, slot, entry, domain, domain.Id, preserveAccessedDirty: false, flush);
    }

    /// <summary>
    /// update_va_mapping: replaces the L1 entry mapping <paramref name="va"/> in the vCPU's current
    /// page tables with <paramref name="pte"/>, validated like any L1 update, then requests the
    /// flush that <paramref name="flags"/> (UVMF_*) asks for.
    /// </summary>
    public PageTableError UpdateVaMapping(PvDomainMemory domain, PvVcpuMmu vcpu, ulong va, ulong pte, ulong flags, DomId pageOwner, TlbFlushRequests flush)
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

        error = UpdateEntry(l1, slot, pte, domain, pageOwner, preserveAccessedDirty: false, flush);
        if (error != PageTableError.None)
        {
            return error;
        }

        ulong scope = flags & ~UpdateVaMappingFlags.FlushTypeMask;
        bool local = scope == UpdateVaMappingFlags.Local;
        switch (flags & UpdateVaMappingFlags.FlushTypeMask)
        {
            case UpdateVaMappingFlags.TlbFlush when local:
                flush.RequestFlushLocal();
                break;
            case UpdateVaMappingFlags.TlbFlush:
                flush.RequestFlushAll();
                break;
            case UpdateVaMappingFlags.Invlpg when local:
                flush.RequestInvlpgLocal(va);
                break;
            case UpdateVaMappingFlags.Invlpg:
                flush.RequestInvlpgAll(va);
                break;
        }

        return PageTableError.None;
    }

    /// <summary>MMUEXT_NEW_BASEPTR: installs a root table as the vCPU's kernel page-table base.</summary>
    public PageTableError NewBaseptr(PvDomainMemory domain, PvVcpuMmu vcpu, ulong mfn, TlbFlushRequests flush)
    {
        var error = TakeRoot(domain, mfn);
        if (error != PageTableError.None)
        {
            return error;
        }

        ulong old = vcpu.KernelRootMfn;
        vcpu.KernelRootMfn = mfn;
        if (old != 0)
        {
            PutPageAndType(old);
        }

        flush.RequestFlushLocal();
        return PageTableError.None;
    }

    /// <summary>MMUEXT_NEW_USER_BASEPTR (64-bit): installs the user-mode root; 0 removes it.</summary>
    public PageTableError NewUserBaseptr(PvDomainMemory domain, PvVcpuMmu vcpu, ulong mfn, TlbFlushRequests flush)
    {
        if (domain.Width != GuestWidth.Bits64)
        {
            return PageTableError.BadArgument;
        }

        if (mfn != 0)
        {
            var error = TakeRoot(domain, mfn);
            if (error != PageTableError.None)
            {
                return error;
            }
        }

        ulong old = vcpu.UserRootMfn;
        vcpu.UserRootMfn = mfn;
        if (old != 0)
        {
            PutPageAndType(old);
        }

        flush.RequestFlushLocal();
        return PageTableError.None;
    }

    private PageTableError TakeRoot(PvDomainMemory domain, ulong mfn)
    {
        if (!_frames.Contains(mfn) || _frames[mfn].Owner != domain.Id)
        {
            return PageTableError.NotOwner;
        }

        if (domain.Width == GuestWidth.Bits32Pae && !domain.PaeExtendedCr3 && mfn >= 1ul << 20)
        {
            return PageTableError.PaeL3Above4Gb;
        }

        return GetPageAndType(mfn, domain, domain.RootType);
    }
}
