namespace ActorVisor.Abi;

/// <summary>x86 page-table entry bits as they appear in an 8-byte entry (4-level and PAE).</summary>
public static class PteFlags
{
    public const ulong Present = 1ul << 0;
    public const ulong ReadWrite = 1ul << 1;
    public const ulong User = 1ul << 2;
    public const ulong WriteThrough = 1ul << 3;
    public const ulong CacheDisable = 1ul << 4;
    public const ulong Accessed = 1ul << 5;
    public const ulong Dirty = 1ul << 6;

    /// <summary>PS in L2/L3 entries, PAT in L1 entries.</summary>
    public const ulong PageSizeOrPat = 1ul << 7;
    public const ulong Global = 1ul << 8;

    /// <summary>Software-available bits 9-11.</summary>
    public const ulong AvailLow = 0x7ul << 9;

    /// <summary>Software-available bits 52-62.</summary>
    public const ulong AvailHigh = 0x7FFul << 52;

    /// <summary>Bit 62: Xen marks grant mappings with it, so guests may not set it in L1 entries.</summary>
    public const ulong GrantTableMapping = 1ul << 62;

    /// <summary>Bit 52: Xen's marker for a kernel-only page of a 64-bit guest.</summary>
    public const ulong GuestKernel = 1ul << 52;
    public const ulong NoExecute = 1ul << 63;

    /// <summary>Address bits 12-51 of an entry.</summary>
    public const ulong AddressMask = 0x000F_FFFF_FFFF_F000ul;

    /// <summary>Machine frame named by an entry.</summary>
    public static ulong FrameOf(ulong entry) => (entry & AddressMask) >> PageGeometry.PageShift;

    /// <summary>Flags the domain builder writes in upper-level entries: P|RW|A|D|U.</summary>
    public const ulong BuilderUpperLevel = Present | ReadWrite | Accessed | Dirty | User;

    /// <summary>Flags the domain builder writes in L1 entries of ordinary pages: P|RW|A.</summary>
    public const ulong BuilderL1Writable = Present | ReadWrite | Accessed;

    /// <summary>Flags the domain builder writes in L1 entries of page-table pages: P|A (read-only).</summary>
    public const ulong BuilderL1ReadOnly = Present | Accessed;
}
