using ActorVisor.Devices.Rings;

namespace ActorVisor.Devices.Net;

/// <summary>
/// The wire layout of Xen's netif rings (io/netif.h) on one 4 KiB page each: a 64-byte shared-ring
/// header, then 256 entries. A tx entry is 12 bytes (the request; the 4-byte response overlays its
/// first bytes), an rx entry 8 bytes (request and response the same size). Extra-info segments
/// (8 bytes) overlay a tx request slot or an rx response slot.
/// </summary>
public static class NetifLayout
{
    public const int PageBytes = 4096;

    public const int TxEntryBytes = 12;
    public const int RxEntryBytes = 8;

    /// <summary>Entries in the tx ring: (4096 - 64) / 12 rounded down to a power of two.</summary>
    public static readonly int TxRingEntries = SharedRingHeader.EntryCount(PageBytes, TxEntryBytes);

    /// <summary>Entries in the rx ring: (4096 - 64) / 8 rounded down to a power of two.</summary>
    public static readonly int RxRingEntries = SharedRingHeader.EntryCount(PageBytes, RxEntryBytes);

    // netif_tx_request: gref u32 @0, offset u16 @4, flags u16 @6, id u16 @8, size u16 @10.
    public const int TxRequestGref = 0;
    public const int TxRequestOffset = 4;
    public const int TxRequestFlags = 6;
    public const int TxRequestId = 8;
    public const int TxRequestSize = 10;

    // netif_tx_response: id u16 @0, status i16 @2.
    public const int TxResponseId = 0;
    public const int TxResponseStatus = 2;

    // netif_rx_request: id u16 @0, pad u16 @2, gref u32 @4.
    public const int RxRequestId = 0;
    public const int RxRequestGref = 4;

    // netif_rx_response: id u16 @0, offset u16 @2, flags u16 @4, status i16 @6.
    public const int RxResponseId = 0;
    public const int RxResponseOffset = 2;
    public const int RxResponseFlags = 4;
    public const int RxResponseStatus = 6;

    // netif_extra_info: type u8 @0, flags u8 @1, then type-specific data (GSO: size u16 @2, type u8 @4, features u16 @6).
    public const int ExtraType = 0;
    public const int ExtraFlags = 1;

    /// <summary>XEN_NETIF_EXTRA_FLAG_MORE: another extra-info segment follows this one.</summary>
    public const byte ExtraFlagMore = 1;

    /// <summary>Extra-info segments one packet may carry (one of each type at most).</summary>
    public const int MaxExtraSegments = 3;

    /// <summary>Byte offset of tx entry <paramref name="index"/> (a free-running ring index).</summary>
    public static int TxEntry(uint index) => SharedRingHeader.HeaderBytes + (int)(index & (uint)(TxRingEntries - 1)) * TxEntryBytes;

    /// <summary>Byte offset of rx entry <paramref name="index"/> (a free-running ring index).</summary>
    public static int RxEntry(uint index) => SharedRingHeader.HeaderBytes + (int)(index & (uint)(RxRingEntries - 1)) * RxEntryBytes;

    /// <summary>
    /// The fewest data slots per packet every back-end must accept (XEN_NETIF_NR_SLOTS_MIN): a
    /// front-end that does not negotiate may send a packet in up to this many slots.
    /// </summary>
    public const int MinSlotsPerPacket = 18;

    /// <summary>The largest packet a tx request can describe (XEN_NETIF_MAX_TX_SIZE, the u16 size field).</summary>
    public const int MaxTxPacketBytes = 0xFFFF;

    public const int EthernetHeaderBytes = 14;
}

/// <summary>Flags of a tx request (NETTXF_*).</summary>
[Flags]
public enum NetTxFlags : ushort
{
    None = 0,

    /// <summary>The packet's TCP/UDP checksum field is blank (holds the pseudo-header sum): the back-end must complete it.</summary>
    ChecksumBlank = 1 << 0,

    /// <summary>The front-end has validated the packet's checksum.</summary>
    DataValidated = 1 << 1,

    /// <summary>The packet continues in the next slot.</summary>
    MoreData = 1 << 2,

    /// <summary>One or more extra-info segments follow this (first) slot.</summary>
    ExtraInfo = 1 << 3,
}

/// <summary>Flags of an rx response (NETRXF_*).</summary>
[Flags]
public enum NetRxFlags : ushort
{
    None = 0,

    /// <summary>The packet's checksum is known to be right; the front-end need not verify it.</summary>
    DataValidated = 1 << 0,

    /// <summary>The checksum field is blank and the front-end completes it (always with DataValidated).</summary>
    ChecksumBlank = 1 << 1,

    /// <summary>The packet continues in the next slot.</summary>
    MoreData = 1 << 2,

    /// <summary>Extra-info segments follow.</summary>
    ExtraInfo = 1 << 3,
}

/// <summary>Response status of a tx request, and the error status of an rx response (NETIF_RSP_*).</summary>
public enum NetifStatus : short
{
    Dropped = -2,
    Error = -1,
    Okay = 0,

    /// <summary>The slot held an extra-info segment: no response is due for it.</summary>
    Null = 1,
}

/// <summary>Types of extra-info segments (XEN_NETIF_EXTRA_TYPE_*).</summary>
public enum NetExtraType : byte
{
    None = 0,
    Gso = 1,
    MulticastAdd = 2,
    MulticastDel = 3,
}
