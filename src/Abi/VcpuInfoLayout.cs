namespace ActorVisor.Abi;

/// <summary>Byte offsets inside one 64-byte vcpu_info (xen.h, arch-x86/xen-x86_*.h).</summary>
public sealed record VcpuInfoLayout(int EvtchnPendingSel, int ArchCr2, int Time)
{
    /// <summary>Size of vcpu_info for both widths.</summary>
    public const int Size = 64;

    /// <summary>evtchn_upcall_pending (byte).</summary>
    public const int EvtchnUpcallPending = 0;

    /// <summary>evtchn_upcall_mask (byte): the guest's virtual interrupt flag, 1 = events disabled.</summary>
    public const int EvtchnUpcallMask = 1;

    /// <summary>64-bit layout: pending_sel is 8 bytes at 8, cr2 at 16.</summary>
    public static readonly VcpuInfoLayout Bits64 = new(EvtchnPendingSel: 8, ArchCr2: 16, Time: 32);

    /// <summary>32-bit layout: pending_sel is 4 bytes at 4, cr2 at 8.</summary>
    public static readonly VcpuInfoLayout Bits32 = new(EvtchnPendingSel: 4, ArchCr2: 8, Time: 32);

    /// <summary>The layout for a guest width.</summary>
    public static VcpuInfoLayout For(GuestWidth width) => width == GuestWidth.Bits64 ? Bits64 : Bits32;
}

/// <summary>Byte offsets inside vcpu_time_info (32 bytes, identical for both widths).</summary>
public static class VcpuTimeInfoLayout
{
    public const int Size = 32;
    public const int Version = 0;
    public const int TscTimestamp = 8;
    public const int SystemTime = 16;
    public const int TscToSystemMul = 24;
    public const int TscShift = 28;
    public const int Flags = 29;

    /// <summary>Flag bit 0: the TSC is stable across vCPUs.</summary>
    public const byte FlagTscStable = 1;

    /// <summary>Flag bit 1: the guest was stopped by the toolstack.</summary>
    public const byte FlagGuestStopped = 2;
}
