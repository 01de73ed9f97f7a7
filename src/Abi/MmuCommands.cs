namespace ActorVisor.Abi;

/// <summary>mmu_update sub-commands, carried in the low three bits of the request's ptr.</summary>
public enum MmuUpdateCommand
{
    NormalPtUpdate = 0,
    MachphysUpdate = 1,
    PtUpdatePreserveAd = 2,
    PtUpdateNoTranslate = 3,
}

/// <summary>mmuext_op commands (MMUEXT_* in xen.h).</summary>
public enum MmuextCommand
{
    PinL1Table = 0,
    PinL2Table = 1,
    PinL3Table = 2,
    PinL4Table = 3,
    UnpinTable = 4,
    NewBaseptr = 5,
    TlbFlushLocal = 6,
    InvlpgLocal = 7,
    TlbFlushMulti = 8,
    InvlpgMulti = 9,
    TlbFlushAll = 10,
    InvlpgAll = 11,
    FlushCache = 12,
    SetLdt = 13,
    NewUserBaseptr = 15,
    ClearPage = 16,
    CopyPage = 17,
    FlushCacheGlobal = 18,
    MarkSuper = 19,
    UnmarkSuper = 20,
}

/// <summary>Flags of update_va_mapping (UVMF_*): a flush type in bits 0-1 and a scope in the rest.</summary>
public static class UpdateVaMappingFlags
{
    public const ulong None = 0;
    public const ulong TlbFlush = 1;
    public const ulong Invlpg = 2;
    public const ulong FlushTypeMask = 3;

    /// <summary>Scope value 0: flush this vCPU only.</summary>
    public const ulong Local = 0;

    /// <summary>Scope value 4: flush every vCPU of the domain.</summary>
    public const ulong All = 4;

    /// <summary>Bit 31 of mmu_update/mmuext_op counts marks a preempted batch (never produced by us).</summary>
    public const uint MmuUpdatePreempted = 1u << 31;

    /// <summary>Most entries a SET_LDT may name.</summary>
    public const uint MaxLdtEntries = 8192;
}
