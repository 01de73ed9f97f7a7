namespace ActorVisor.Devices.Block;

/// <summary>
/// Why the block back-end refused what a front-end put on its ring, from the front-end's side. Each
/// but <see cref="RingProducerOverran"/> is answered with BLKIF_RSP_ERROR (or EOPNOTSUPP for an
/// unsupported operation) and counted per device; the guest's domain is never harmed.
/// </summary>
public enum BlockRequestError
{
    None,

    /// <summary>req_prod moved backwards or claims more requests than the ring holds; the back-end stops consuming.</summary>
    RingProducerOverran,

    /// <summary>The operation is not one the back-end offers (answered EOPNOTSUPP).</summary>
    UnsupportedOperation,

    /// <summary>A read or write with no segments, more than 11 direct segments, or more indirect segments than advertised.</summary>
    SegmentCountInvalid,

    /// <summary>An indirect request whose inner operation is neither read nor write.</summary>
    IndirectOperationInvalid,

    /// <summary>A segment whose first_sect lies after its last_sect, or whose last_sect lies past the page (7).</summary>
    SegmentSectorsInvalid,

    /// <summary>The guest asked for sectors past the end of the disk.</summary>
    SectorsBeyondDisk,

    /// <summary>A segment's or indirect page's grant reference could not be used (not granted, read-only for a read, out of the table).</summary>
    BadGrant,

    /// <summary>A write, barrier or discard to a read-only disk.</summary>
    ReadOnlyDisk,

    /// <summary>The host's file system failed the I/O (not the guest's doing, but answered the same way).</summary>
    HostIoFailed,
}
