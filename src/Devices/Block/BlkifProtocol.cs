namespace ActorVisor.Devices.Block;

/// <summary>The numbers of Xen's block protocol (io/blkif.h): operations, statuses, limits and info bits.</summary>
public static class BlkifProtocol
{
    public const byte OpRead = 0;
    public const byte OpWrite = 1;
    public const byte OpWriteBarrier = 2;
    public const byte OpFlushDiskCache = 3;
    public const byte OpDiscard = 5;
    public const byte OpIndirect = 6;

    public const short StatusOkay = 0;
    public const short StatusError = -1;
    public const short StatusNotSupported = -2;

    /// <summary>Segments a direct request can carry (BLKIF_MAX_SEGMENTS_PER_REQUEST).</summary>
    public const int MaxDirectSegments = 11;

    /// <summary>Indirect pages one indirect request may name (BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST).</summary>
    public const int MaxIndirectPages = 8;

    /// <summary>Bytes of one blkif_request_segment (gref u32, first_sect u8, last_sect u8, 2 bytes padding).</summary>
    public const int SegmentBytes = 8;

    /// <summary>Segment descriptors in one indirect page.</summary>
    public const int SegmentsPerIndirectPage = PageBytes / SegmentBytes;

    /// <summary>The highest sector index within a 4 KiB page (first_sect and last_sect run 0..7).</summary>
    public const int LastSectorInPage = PageBytes / 512 - 1;

    public const int PageBytes = 4096;

    /// <summary>Bit 0 of a discard request's flag: BLKIF_DISCARD_SECURE (ignored while discard-secure is 0).</summary>
    public const byte DiscardSecure = 1;

    public const uint VdiskCdrom = 0x1;
    public const uint VdiskRemovable = 0x2;
    public const uint VdiskReadOnly = 0x4;

    /// <summary>The value of the front-end's protocol key for the 64-bit layout (XEN_IO_PROTO_ABI_X86_64).</summary>
    public const string ProtocolX86_64 = "x86_64-abi";

    /// <summary>The value of the front-end's protocol key for the 32-bit layout (XEN_IO_PROTO_ABI_X86_32).</summary>
    public const string ProtocolX86_32 = "x86_32-abi";
}
