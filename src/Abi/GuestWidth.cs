namespace ActorVisor.Abi;

/// <summary>The two PV guest kinds: 64-bit (kernel in ring 3) and 32-bit PAE (kernel in ring 1).</summary>
public enum GuestWidth
{
    /// <summary>"xen-3.0-x86_64": 4-level paging, 8-byte longs.</summary>
    Bits64,

    /// <summary>"xen-3.0-x86_32p": 3-level PAE paging, 4-byte longs, i386 alignment.</summary>
    Bits32Pae,
}

/// <summary>Facts that follow from the guest width.</summary>
public static class GuestWidthExtensions
{
    /// <summary>Size of unsigned long / xen_pfn_t / pointers in the guest ABI.</summary>
    public static int LongSize(this GuestWidth width) => width == GuestWidth.Bits64 ? 8 : 4;

    /// <summary>The string written to start_info.magic and reported in capabilities.</summary>
    public static string Magic(this GuestWidth width) => width == GuestWidth.Bits64 ? "xen-3.0-x86_64" : "xen-3.0-x86_32p";

    /// <summary>Number of 2-level event channel ports (one pending bit per port in shared_info).</summary>
    public static int EventChannelPorts(this GuestWidth width) => width == GuestWidth.Bits64 ? 4096 : 1024;
}
