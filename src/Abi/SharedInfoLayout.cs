namespace ActorVisor.Abi;

/// <summary>
/// Byte offsets of shared_info, including arch_shared_info, for one guest width (xen.h,
/// arch-x86/xen.h). The page is hypervisor-owned and shared read/write with the guest.
/// </summary>
public sealed record SharedInfoLayout(
    int Size,
    int LongSize,
    int EvtchnPending,
    int EvtchnMask,
    int EvtchnWordBytes,
    int WcVersion,
    int WcSec,
    int WcNsec,
    int WcSecHi,
    int ArchMaxPfn,
    int ArchPfnToMfnFrameListList,
    int ArchNmiReason,
    int ArchP2mCr3,
    int ArchP2mVaddr,
    int ArchP2mGeneration)
{
    /// <summary>Number of legacy vcpu_info slots at the start of the page.</summary>
    public const int LegacyVcpuSlots = 32;

    /// <summary>Offset of vcpu_info[vcpu] (each 64 bytes) for vCPUs below 32.</summary>
    public static int VcpuInfo(int vcpu) => vcpu * VcpuInfoLayout.Size;

    /// <summary>Layout seen by a 64-bit guest (3136 bytes).</summary>
    public static readonly SharedInfoLayout Bits64 = new(
        Size: 3136, LongSize: 8, EvtchnPending: 2048, EvtchnMask: 2560, EvtchnWordBytes: 8, WcVersion: 3072,
        WcSec: 3076, WcNsec: 3080, WcSecHi: 3084, ArchMaxPfn: 3088, ArchPfnToMfnFrameListList: 3096,
        ArchNmiReason: 3104, ArchP2mCr3: 3112, ArchP2mVaddr: 3120, ArchP2mGeneration: 3128);

    /// <summary>Layout seen by a 32-bit PAE guest (2344 bytes); wc_sec_hi lives in the arch part.</summary>
    public static readonly SharedInfoLayout Bits32 = new(
        Size: 2344, LongSize: 4, EvtchnPending: 2048, EvtchnMask: 2176, EvtchnWordBytes: 4, WcVersion: 2304,
        WcSec: 2308, WcNsec: 2312, WcSecHi: 2340, ArchMaxPfn: 2316, ArchPfnToMfnFrameListList: 2320,
        ArchNmiReason: 2324, ArchP2mCr3: 2328, ArchP2mVaddr: 2332, ArchP2mGeneration: 2336);

    /// <summary>The layout for a guest width.</summary>
    public static SharedInfoLayout For(GuestWidth width) => width == GuestWidth.Bits64 ? Bits64 : Bits32;
}
