using ActorVisor.Abi;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The CPUID a PV guest sees: a modest x86-64 CPU with the hypervisor bit, without the features Xen
/// hides from PV guests (VME, PSE, PGE, MTRR, PSE36, 1 GiB pages, x2APIC, VMX/SVM, MONITOR), and
/// Xen's leaves at 0x40000000 ("XenVMMXenVMM", version, hypercall page count).
/// </summary>
public static class PvCpuidPolicy
{
    /// <summary>The Xen version reported through CPUID leaf 0x40000001 and XENVER_version (4.19).</summary>
    public const uint XenVersion = (4u << 16) | 19u;

    /// <summary>Leaf 1 EDX: FPU, TSC, MSR, PAE, CX8, SEP, CMOV, PAT, CLFLUSH, MMX, FXSR, SSE, SSE2.</summary>
    public const uint Leaf1Edx = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 11) | (1u << 15) | (1u << 16)
        | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);

    /// <summary>
    /// Leaf 1 ECX: CMPXCHG16B (13), POPCNT (23) and the hypervisor bit (31). SSE3, SSSE3, SSE4.1 and
    /// SSE4.2 stay clear because the software CPU does not execute their instructions; a kernel that
    /// saw them would pick code paths (Linux's blake2s_compress_ssse3, for one) that fault with #UD.
    /// </summary>
    public const uint Leaf1Ecx = (1u << 13) | (1u << 23) | (1u << 31);

    public static CpuidResult Answer(uint leaf, uint subleaf, GuestWidth width) => leaf switch
    {
        0 => new CpuidResult(0xD, 0x756E_6547, 0x6C65_746E, 0x4965_6E69),
        1 => new CpuidResult(0x0006_06A6, 0x0001_0800, Leaf1Ecx, Leaf1Edx),
        7 when subleaf == 0 => new CpuidResult(0, 0, 0, 0),
        0x4000_0000 => new CpuidResult(0x4000_0005, 0x566E_6558, 0x6558_4D4D, 0x4D4D_566E),
        0x4000_0001 => new CpuidResult(XenVersion, 0, 0, 0),
        0x4000_0002 => new CpuidResult(1, 0x4000_0000, 0, 0),
        0x4000_0005 => new CpuidResult(0, width == GuestWidth.Bits64 ? 40u : 36u, 0, 0),
        0x8000_0000 => new CpuidResult(0x8000_0008, 0, 0, 0),
        0x8000_0001 => new CpuidResult(0, 0, 1u << 0, (1u << 11) | (1u << 20) | (1u << 29)),
        0x8000_0008 => new CpuidResult(0x3028, 0, 0, 0),
        _ => new CpuidResult(0, 0, 0, 0),
    };
}
