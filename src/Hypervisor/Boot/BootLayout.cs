namespace ActorVisor.Hypervisor.Boot;

/// <summary>
/// Where the builder put everything, as guest virtual addresses and PFNs; the bootstrap mapping
/// covers [<see cref="VirtBase"/>, <see cref="MappedEnd"/>) with VA = VirtBase + (pfn &lt;&lt; 12).
/// </summary>
public sealed record BootLayout(
    ulong VirtBase,
    ulong KernelStart,
    ulong KernelEnd,
    ulong P2mVa,
    ulong P2mPages,
    ulong StartInfoVa,
    ulong StorePfn,
    ulong ConsolePfn,
    ulong PageTablesVa,
    ulong PageTablesPfn,
    ulong PageTableFrames,
    ulong StackVa,
    ulong MappedEnd,
    ulong? HypercallPagePfn,
    ulong ModuleVa = 0,
    ulong ModuleLength = 0)
{
    /// <summary>The PFN that a bootstrap-mapped virtual address names.</summary>
    public ulong PfnOf(ulong va) => (va - VirtBase) >> 12;
}

/// <summary>
/// The register state of vCPU 0 at the kernel's entry, as Xen's builder leaves it; the CPU
/// integration maps it onto its own state. All general registers not named here are zero.
/// </summary>
/// <param name="Rip">The ELF entry point.</param>
/// <param name="Rsp">Top of the boot stack page.</param>
/// <param name="Rsi">Virtual address of start_info (esi for 32-bit guests).</param>
/// <param name="Cs">Code selector: 0xe033 (64-bit, ring 3) or 0xe019 (32-bit, ring 1).</param>
/// <param name="Ss">Stack selector: 0xe02b (64-bit) or 0xe021 (32-bit).</param>
/// <param name="DataSelector">DS/ES/FS/GS: 0 (64-bit) or 0xe021 (32-bit).</param>
/// <param name="Cpl">The privilege level the kernel really runs at: 3 (64-bit) or 1 (32-bit).</param>
/// <param name="Cr3">The root table in cr3 format (64-bit: mfn &lt;&lt; 12; 32-bit: the rotated PAE form).</param>
/// <param name="RootMfn">The root table's MFN.</param>
/// <param name="Rflags">0x200: IF set (the virtual IF lives in vcpu_info).</param>
/// <param name="VgcfFlags">VGCF_in_kernel | VGCF_online.</param>
/// <param name="Dr6">Architectural reset value of DR6.</param>
/// <param name="Dr7">Architectural reset value of DR7.</param>
public sealed record InitialVcpuState(
    ulong Rip,
    ulong Rsp,
    ulong Rsi,
    ushort Cs,
    ushort Ss,
    ushort DataSelector,
    int Cpl,
    ulong Cr3,
    ulong RootMfn,
    ulong Rflags,
    ulong VgcfFlags,
    ulong Dr6,
    ulong Dr7)
{
    /// <summary>Kernel stack selector used for user-to-kernel transitions (stack_switch), initially SS.</summary>
    public ushort KernelSs => Ss;

    /// <summary>Kernel stack pointer used for user-to-kernel transitions, initially RSP.</summary>
    public ulong KernelSp => Rsp;
}
