using ActorVisor.Abi;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The CPUID a PV guest sees: what the software CPU implements and nothing more, with the hypervisor bit,
/// without the features Xen hides from PV guests (VME, PSE, PGE, MTRR, PSE36, 1 GiB pages, x2APIC,
/// VMX/SVM, MONITOR), and Xen's leaves at 0x40000000 ("XenVMMXenVMM", version, hypercall page count).
/// The processor is a family 6 model 0x6A stepping 6 part ("GenuineIntel") with a brand string of its
/// own and the cache geometry Linux reads from leaves 2, 4 and 0x80000006: 32 KiB 8-way L1 data and
/// instruction caches, a 1 MiB 16-way L2 and an 8 MiB 16-way L3, 64-byte lines.
/// <c>PvCpuidTruthTests</c> checks every set feature bit against the CPU's instruction table.
/// </summary>
public static class PvCpuidPolicy
{
    /// <summary>The Xen version reported through CPUID leaf 0x40000001 and XENVER_version (4.19).</summary>
    public const uint XenVersion = (4u << 16) | 19u;

    /// <summary>Leaf 1 EDX: FPU, TSC, MSR, PAE, CX8, SEP, CMOV, PAT, CLFLUSH, MMX, FXSR, SSE, SSE2.</summary>
    public const uint Leaf1Edx = (1u << 0) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 11) | (1u << 15) | (1u << 16)
        | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);

    /// <summary>
    /// Leaf 1 ECX: SSE3 (0), SSSE3 (9), CMPXCHG16B (13), SSE4.1 (19), SSE4.2 (20), MOVBE (22), POPCNT (23)
    /// and the hypervisor bit (31): with LAHF/SAHF in 64-bit mode (leaf 0x80000001) that is x86-64-v2.
    /// PCLMULQDQ, AES, XSAVE/AVX, F16C, FMA and RDRAND stay clear (not implemented).
    /// </summary>
    public const uint Leaf1Ecx = (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 22) | (1u << 23) | (1u << 31);

    /// <summary>The brand string of leaves 0x80000002-0x80000004 (48 bytes, NUL padded).</summary>
    public const string BrandString = "ActorVisor software x86-64 CPU";

    public static CpuidResult Answer(uint leaf, uint subleaf, GuestWidth width) => leaf switch
    {
        0 => new CpuidResult(0xD, 0x756E_6547, 0x6C65_746E, 0x4965_6E69),
        1 => new CpuidResult(0x0006_06A6, 0x0001_0800, Leaf1Ecx, Leaf1Edx),
        2 => new CpuidResult(0x0000_FF01, 0, 0, 0),
        4 => CacheLeaf(subleaf),
        7 when subleaf == 0 => new CpuidResult(0, 0, 0, 0),
        0x4000_0000 => new CpuidResult(0x4000_0005, 0x566E_6558, 0x6558_4D4D, 0x4D4D_566E),
        0x4000_0001 => new CpuidResult(XenVersion, 0, 0, 0),
        0x4000_0002 => new CpuidResult(1, 0x4000_0000, 0, 0),
        0x4000_0005 => new CpuidResult(0, width == GuestWidth.Bits64 ? 40u : 36u, 0, 0),
        0x8000_0000 => new CpuidResult(0x8000_0008, 0, 0, 0),
        0x8000_0001 => new CpuidResult(0, 0, 1u << 0, (1u << 11) | (1u << 20) | (1u << 29)),
        >= 0x8000_0002 and <= 0x8000_0004 => Brand(leaf - 0x8000_0002),
        0x8000_0006 => new CpuidResult(0, 0, (1024u << 16) | (0x8u << 12) | 64, 0),
        0x8000_0008 => new CpuidResult(0x3028, 0, 0, 0),
        _ => new CpuidResult(0, 0, 0, 0),
    };

    /// <summary>
    /// Leaf 4 (deterministic cache parameters), one subleaf per cache then a null one: EAX type, level and
    /// self-initialising; EBX ways - 1, partitions - 1, line size - 1; ECX sets - 1.
    /// </summary>
    private static CpuidResult CacheLeaf(uint subleaf)
    {
        (uint Type, uint Level, uint Ways, uint Sets) cache = subleaf switch
        {
            0 => (1, 1, 8, 64),
            1 => (2, 1, 8, 64),
            2 => (3, 2, 16, 1024),
            3 => (3, 3, 16, 8192),
            _ => (0, 0, 0, 0),
        };
        if (cache.Type == 0)
        {
            return new CpuidResult(0, 0, 0, 0);
        }
        return new CpuidResult(cache.Type | (cache.Level << 5) | (1u << 8), 63 | ((cache.Ways - 1) << 22), cache.Sets - 1, 0);
    }

    private static CpuidResult Brand(uint part)
    {
        var bytes = new byte[48];
        System.Text.Encoding.ASCII.GetBytes(BrandString).CopyTo(bytes, 0);
        var at = (int)part * 16;
        return new CpuidResult(
            BitConverter.ToUInt32(bytes, at), BitConverter.ToUInt32(bytes, at + 4), BitConverter.ToUInt32(bytes, at + 8), BitConverter.ToUInt32(bytes, at + 12));
    }
}
