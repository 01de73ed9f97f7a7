namespace ActorVisor.Devices.Block;

/// <summary>How a block back-end presents its disk to the front-end.</summary>
public sealed record BlockBackendOptions
{
    /// <summary>Present the disk read-only (mode r, VDISK_READONLY) even if the image was opened read-write.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Present the disk as a CD-ROM (VDISK_CDROM); such a disk is always read-only.</summary>
    public bool CdRom { get; init; }

    /// <summary>
    /// Segments one indirect request may carry (feature-max-indirect-segments); 0 offers no indirect
    /// requests. Linux's blkback offers 256; at most 8 indirect pages of 512 descriptors (4096).
    /// </summary>
    public int MaxIndirectSegments { get; init; } = 256;

    /// <summary>Largest ring a front-end may share, as log2 of its pages (max-ring-page-order); Linux's blkback offers 4 (16 pages).</summary>
    public int MaxRingPageOrder { get; init; } = 4;

    /// <summary>Offer BLKIF_OP_DISCARD (feature-discard).</summary>
    public bool Discard { get; init; } = true;

    public static readonly BlockBackendOptions Default = new();
}
