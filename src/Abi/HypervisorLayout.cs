namespace ActorVisor.Abi;

/// <summary>The virtual ranges Xen keeps for itself in a PV guest's address space.</summary>
public static class HypervisorLayout
{
    /// <summary>64-bit: HYPERVISOR_VIRT_START, also MACH2PHYS_VIRT_START (the read-only M2P).</summary>
    public const ulong VirtStart64 = 0xFFFF_8000_0000_0000;

    /// <summary>64-bit: HYPERVISOR_VIRT_END; guest space resumes here.</summary>
    public const ulong VirtEnd64 = 0xFFFF_8800_0000_0000;

    /// <summary>64-bit: end of the read-only M2P table.</summary>
    public const ulong MachToPhysEnd64 = 0xFFFF_8040_0000_0000;

    /// <summary>64-bit: first L4 slot owned by Xen (256).</summary>
    public const int FirstXenL4Slot = 256;

    /// <summary>64-bit: last L4 slot owned by Xen (271).</summary>
    public const int LastXenL4Slot = 271;

    /// <summary>32-bit PAE: HYPERVISOR_COMPAT_VIRT_START; the guest owns everything below.</summary>
    public const uint CompatVirtStart32 = 0xF580_0000;

    /// <summary>32-bit PAE: end of the compat M2P (4-byte entries).</summary>
    public const uint CompatMachToPhysEnd32 = 0xFFE0_0000;

    /// <summary>32-bit PAE: the first Xen-owned slot of the L2 that L3 slot 3 points at ((0xF5800000 >> 21) &amp; 511).</summary>
    public const int FirstXenPaeL2Slot = 428;

    /// <summary>32-bit PAE: the L3 slot that must hold the L2 carrying Xen's compat mappings.</summary>
    public const int PaeXenL3Slot = 3;

    /// <summary>32-bit PAE: number of meaningful L3 entries.</summary>
    public const int PaeL3Entries = 4;

    /// <summary>First GDT entry reserved for Xen (selector 0xe000); guests may use entries below it.</summary>
    public const int FirstReservedGdtEntry = 7168;

    /// <summary>True when a 64-bit virtual address is canonical (bits 47-63 all equal).</summary>
    public static bool IsCanonical(ulong va) => (ulong)((long)(va << 16) >> 16) == va;

    /// <summary>True when a 64-bit guest address lies in Xen's reserved range.</summary>
    public static bool IsHypervisorAddress64(ulong va) => va >= VirtStart64 && va < VirtEnd64;
}
