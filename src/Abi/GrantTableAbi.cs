namespace ActorVisor.Abi;

/// <summary>grant_table_op commands (GNTTABOP_* in grant_table.h).</summary>
public enum GrantTableOp
{
    MapGrantRef = 0,
    UnmapGrantRef = 1,
    SetupTable = 2,
    DumpTable = 3,
    Transfer = 4,
    Copy = 5,
    QuerySize = 6,
    UnmapAndReplace = 7,
    SetVersion = 8,
    GetStatusFrames = 9,
    GetVersion = 10,
    SwapGrantRef = 11,
    CacheFlush = 12,
}

/// <summary>Per-operation status codes (GNTST_*), written into each operation's status field.</summary>
public enum GrantStatus
{
    Okay = 0,
    GeneralError = -1,
    BadDomain = -2,
    BadGntref = -3,
    BadHandle = -4,
    BadVirtAddr = -5,
    BadDevAddr = -6,
    NoDeviceSpace = -7,
    PermissionDenied = -8,
    BadPage = -9,
    BadCopyArg = -10,
    AddressTooBig = -11,
    Eagain = -12,
    NoSpace = -13,
}

/// <summary>Version 1 grant entry: flags u16 @0, domid u16 @2, frame u32 @4 (8 bytes).</summary>
public static class GrantEntryV1
{
    public const int Size = 8;
    public const int Flags = 0;
    public const int DomId = 2;
    public const int Frame = 4;

    /// <summary>Entries per 4 KiB grant frame.</summary>
    public const int PerFrame = PageGeometry.PageSize / Size;

    /// <summary>Entries 0-7 are reserved for the toolstack (0 console, 1 xenstore).</summary>
    public const int FirstUnreserved = 8;
}

/// <summary>Grant entry flag bits (GTF_*).</summary>
public static class GrantFlags
{
    public const ushort TypeMask = 3;
    public const ushort Invalid = 0;
    public const ushort PermitAccess = 1;
    public const ushort AcceptTransfer = 2;
    public const ushort Transitive = 3;
    public const ushort ReadOnly = 0x4;
    public const ushort Reading = 0x8;
    public const ushort Writing = 0x10;
    public const ushort Pwt = 0x20;
    public const ushort Pcd = 0x40;
    public const ushort Pat = 0x80;
    public const ushort SubPage = 0x100;

    /// <summary>Accept-transfer entries: the hypervisor has taken the entry for a transfer under way (same bit as <see cref="ReadOnly"/>).</summary>
    public const ushort TransferCommitted = 0x4;

    /// <summary>Accept-transfer entries: the frame field now holds the transferred MFN (same bit as <see cref="Reading"/>).</summary>
    public const ushort TransferCompleted = 0x8;
}

/// <summary>Flags of GNTTABOP_map_grant_ref (GNTMAP_*).</summary>
public static class GrantMapFlags
{
    public const uint DeviceMap = 1;
    public const uint HostMap = 2;
    public const uint ReadOnly = 4;
    public const uint ApplicationMap = 8;
    public const uint ContainsPte = 16;
}

/// <summary>Flags of a GNTTABOP_copy operation (GNTCOPY_*).</summary>
public static class GrantCopyFlags
{
    public const ushort SourceGref = 1;
    public const ushort DestGref = 2;
}

/// <summary>
/// Layout of gnttab_transfer {xen_pfn_t mfn; domid_t domid; grant_ref_t ref; int16_t status}:
/// 24 bytes for 64-bit guests, 16 for 32-bit ones (xen_pfn_t is the guest's unsigned long).
/// </summary>
public sealed record GrantTransferLayout(int Size, int DomId, int Ref, int Status)
{
    public static readonly GrantTransferLayout Bits64 = new(24, 8, 12, 16);
    public static readonly GrantTransferLayout Bits32 = new(16, 4, 8, 12);

    public static GrantTransferLayout For(GuestWidth width) => width == GuestWidth.Bits64 ? Bits64 : Bits32;
}
