using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>Why a page-table operation asked for by a guest was refused.</summary>
public enum PageTableError
{
    /// <summary>The operation succeeded.</summary>
    None = 0,

    /// <summary>The entry sets flag bits the level forbids (cache attributes, superpages, global upper levels, bit 62).</summary>
    ForbiddenFlags,

    /// <summary>An L1 entry names a frame that is not RAM (or I/O memory the domain has no permission for).</summary>
    NotRam,

    /// <summary>An L1 entry maps a frame the page owner does not own.</summary>
    FrameNotOwned,

    /// <summary>An L1 entry maps writable a frame in use as a page table or descriptor table.</summary>
    WritableMappingOfPageTable,

    /// <summary>An upper-level entry names a frame that is not the domain's or cannot become the next-lower table.</summary>
    BadLowerTable,

    /// <summary>A linear (recursive) entry breaks Xen's rules: writable, foreign, unvalidated, or nested.</summary>
    BadLinearMapping,

    /// <summary>The frame is not owned by the domain the operation acts for.</summary>
    NotOwner,

    /// <summary>The frame's type count is non-zero and it is held as a different type.</summary>
    TypeConflict,

    /// <summary>The guest tried to change a slot of the hypervisor-reserved range in an L4 or PAE L3.</summary>
    HypervisorSlot,

    /// <summary>The guest tried to change the Xen part of a PAE L2 (slots 428 and above of the L3 slot 3 L2).</summary>
    HypervisorL2Slot,

    /// <summary>A PAE L3 lacks slot 3, or its slot 3 L2 is shared with another L3.</summary>
    BadPaeSlot3,

    /// <summary>A PAE L3 above 4 GiB without the pae_extended_cr3 assist.</summary>
    PaeL3Above4Gb,

    /// <summary>The frame is already pinned.</summary>
    AlreadyPinned,

    /// <summary>The frame is not pinned.</summary>
    NotPinned,

    /// <summary>No L1 table maps the virtual address (update_va_mapping).</summary>
    NoL1ForAddress,

    /// <summary>The address lies in the hypervisor's range or is not canonical.</summary>
    BadAddress,

    /// <summary>The mmu_update sub-command (ptr &amp; 7) does not exist.</summary>
    UnknownCommand,

    /// <summary>The named domain does not exist.</summary>
    NoSuchDomain,

    /// <summary>The caller may not act on the named domain.</summary>
    NotPermitted,

    /// <summary>An argument is out of range (SET_LDT size or alignment, and the like).</summary>
    BadArgument,

    /// <summary>The operation needs a right the domain lacks (cache flushes).</summary>
    NoAccess,

    /// <summary>The operation is deliberately unsupported (superpage marking).</summary>
    NotSupported,
}

/// <summary>Translation of page-table refusals to the errno Xen returns, at the ABI edge.</summary>
public static class PageTableErrorExtensions
{
    public static XenErrno ToErrno(this PageTableError error) => error switch
    {
        PageTableError.None => XenErrno.None,
        PageTableError.ForbiddenFlags => XenErrno.Inval,
        PageTableError.NotRam => XenErrno.Perm,
        PageTableError.FrameNotOwned => XenErrno.Busy,
        PageTableError.WritableMappingOfPageTable => XenErrno.Busy,
        PageTableError.BadLowerTable => XenErrno.Inval,
        PageTableError.BadLinearMapping => XenErrno.Inval,
        PageTableError.NotOwner => XenErrno.Inval,
        PageTableError.TypeConflict => XenErrno.Inval,
        PageTableError.HypervisorSlot => XenErrno.Inval,
        PageTableError.HypervisorL2Slot => XenErrno.Perm,
        PageTableError.BadPaeSlot3 => XenErrno.Inval,
        PageTableError.PaeL3Above4Gb => XenErrno.Range,
        PageTableError.AlreadyPinned => XenErrno.Inval,
        PageTableError.NotPinned => XenErrno.Inval,
        PageTableError.NoL1ForAddress => XenErrno.Inval,
        PageTableError.BadAddress => XenErrno.Inval,
        PageTableError.UnknownCommand => XenErrno.NoSys,
        PageTableError.NoSuchDomain => XenErrno.Srch,
        PageTableError.NotPermitted => XenErrno.Perm,
        PageTableError.BadArgument => XenErrno.Inval,
        PageTableError.NoAccess => XenErrno.Acces,
        PageTableError.NotSupported => XenErrno.OpNotSupp,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}
