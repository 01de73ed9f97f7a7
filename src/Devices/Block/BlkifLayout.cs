namespace ActorVisor.Devices.Block;

/// <summary>
/// Where the fields of blkif requests and responses lie in a ring entry for one guest ABI. The
/// 64-bit and 32-bit layouts differ because a u64 is 8-aligned on x86_64 and 4-aligned on i386, so
/// every field after the first four bytes moves (io/blkif.h; Linux's blkback spells out the 32-bit
/// structures it converts from). Responses are alike up to their size: id u64 at 0, operation u8 at
/// 8, status s16 at 10.
/// </summary>
public sealed record BlkifLayout(
    string Name,
    int EntryBytes,
    int ResponseBytes,
    int IdOffset,
    int SectorOffset,
    int SegmentsOffset,
    int DiscardSectorCountOffset,
    int IndirectNrSegmentsOffset,
    int IndirectHandleOffset,
    int IndirectGrefsOffset)
{
    public const int OperationOffset = 0;

    /// <summary>nr_segments of a read or write; the flag byte of a discard; indirect_op of an indirect request.</summary>
    public const int SecondByteOffset = 1;

    public const int HandleOffset = 2;

    public const int ResponseIdOffset = 0;
    public const int ResponseOperationOffset = 8;
    public const int ResponseStatusOffset = 10;

    /// <summary>x86_64-abi: request 112 bytes (segments at 24), response 16.</summary>
    public static readonly BlkifLayout X86_64 = new(
        BlkifProtocol.ProtocolX86_64,
        EntryBytes: 112,
        ResponseBytes: 16,
        IdOffset: 8,
        SectorOffset: 16,
        SegmentsOffset: 24,
        DiscardSectorCountOffset: 24,
        IndirectNrSegmentsOffset: 2,
        IndirectHandleOffset: 24,
        IndirectGrefsOffset: 28);

    /// <summary>x86_32-abi: request 108 bytes (segments at 20), response 12.</summary>
    public static readonly BlkifLayout X86_32 = new(
        BlkifProtocol.ProtocolX86_32,
        EntryBytes: 108,
        ResponseBytes: 12,
        IdOffset: 4,
        SectorOffset: 12,
        SegmentsOffset: 20,
        DiscardSectorCountOffset: 20,
        IndirectNrSegmentsOffset: 2,
        IndirectHandleOffset: 20,
        IndirectGrefsOffset: 24);

    /// <summary>The layout a front-end's protocol key names (missing: the native 64-bit one), or null for an unknown name.</summary>
    public static BlkifLayout? ForProtocol(string? protocol) => protocol switch
    {
        null or BlkifProtocol.ProtocolX86_64 => X86_64,
        BlkifProtocol.ProtocolX86_32 => X86_32,
        _ => null,
    };
}
