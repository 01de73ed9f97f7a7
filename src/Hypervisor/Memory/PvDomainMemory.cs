using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>The memory-management facts of one PV domain that page-table rules depend on.</summary>
public sealed class PvDomainMemory
{
    public PvDomainMemory(DomId id, GuestWidth width, bool isPrivileged = false)
    {
        Id = id;
        Width = width;
        IsPrivileged = isPrivileged;
        PaeExtendedCr3 = width == GuestWidth.Bits32Pae;
    }

    public DomId Id { get; }

    public GuestWidth Width { get; }

    /// <summary>The control domain may map other domains' frames and flush caches.</summary>
    public bool IsPrivileged { get; }

    /// <summary>32-bit PAE: the pae_extended_cr3 assist is on, so L3 tables may sit above 4 GiB.</summary>
    public bool PaeExtendedCr3 { get; set; }

    /// <summary>The paging structure of the guest: 4 levels for 64-bit, 3 for PAE.</summary>
    public PageType RootType => Width == GuestWidth.Bits64 ? PageType.L4 : PageType.L3;
}

/// <summary>The per-vCPU state that mmuext_op changes: page-table bases and the LDT.</summary>
public sealed class PvVcpuMmu
{
    /// <summary>MFN of the kernel root table (guest_table), or 0 for none.</summary>
    public ulong KernelRootMfn { get; set; }

    /// <summary>64-bit: MFN of the user-mode root table (guest_table_user), or 0 for none.</summary>
    public ulong UserRootMfn { get; set; }

    /// <summary>True while the vCPU runs guest kernel code (64-bit guests switch roots on mode changes).</summary>
    public bool InKernelMode { get; set; } = true;

    /// <summary>Linear address of the LDT (0 = none).</summary>
    public ulong LdtBase { get; set; }

    /// <summary>Number of LDT entries.</summary>
    public uint LdtEntries { get; set; }

    /// <summary>The root table the vCPU currently translates through.</summary>
    public ulong CurrentRootMfn => InKernelMode || UserRootMfn == 0 ? KernelRootMfn : UserRootMfn;
}
