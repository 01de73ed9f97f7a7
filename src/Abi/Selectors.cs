namespace ActorVisor.Abi;

/// <summary>Flat segment selectors of the PV ABI (arch-x86/xen-x86_64.h and xen-x86_32.h).</summary>
public static class Selectors
{
    /// <summary>64-bit ABI: FLAT_KERNEL_CS = FLAT_RING3_CS64.</summary>
    public const ushort KernelCs64 = 0xE033;

    /// <summary>64-bit ABI: FLAT_KERNEL_DS = the null selector.</summary>
    public const ushort KernelDs64 = 0x0000;

    /// <summary>64-bit ABI: FLAT_KERNEL_SS = FLAT_RING3_SS64.</summary>
    public const ushort KernelSs64 = 0xE02B;

    /// <summary>64-bit ABI: FLAT_USER_CS32.</summary>
    public const ushort UserCs32On64 = 0xE023;

    /// <summary>64-bit ABI: FLAT_USER_DS32.</summary>
    public const ushort UserDs32On64 = 0xE02B;

    /// <summary>32-bit ABI: FLAT_KERNEL_CS = FLAT_RING1_CS.</summary>
    public const ushort KernelCs32 = 0xE019;

    /// <summary>32-bit ABI: FLAT_KERNEL_DS/SS = FLAT_RING1_DS.</summary>
    public const ushort KernelDs32 = 0xE021;

    /// <summary>32-bit ABI: FLAT_USER_CS = FLAT_RING3_CS.</summary>
    public const ushort UserCs32 = 0xE02B;

    /// <summary>32-bit ABI: FLAT_USER_DS/SS = FLAT_RING3_DS.</summary>
    public const ushort UserDs32 = 0xE033;
}

/// <summary>vcpu_guest_context flags (VGCF_*) and the iret flags word bit.</summary>
public static class VcpuGuestContextFlags
{
    public const ulong InKernel = 1ul << 2;
    public const ulong FailsafeDisablesEvents = 1ul << 3;
    public const ulong SyscallDisablesEvents = 1ul << 4;
    public const ulong Online = 1ul << 5;

    /// <summary>VGCF_in_syscall in the iret flags word: resume as SYSRET would.</summary>
    public const ulong InSyscall = 1ul << 8;
}
