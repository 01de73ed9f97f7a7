using ActorVisor.Hypervisor.Snapshots;
using ActorVisor.Persistence.Chunks;

namespace ActorVisor.Persistence.Registry;

/// <summary>
/// What the registry keeps of one snapshot: the image's envelope and component sections, and the
/// addresses of its page-map chunks (the pages themselves are chunks in the chunk table). A few
/// hundred bytes plus the sections, whatever the memory size: one page-map chunk per 4096 pages.
/// </summary>
/// <param name="Name">The snapshot's name, unique in the store.</param>
/// <param name="DomainName">The domain it was taken of; its chunks are shared with the domain's other snapshots.</param>
/// <param name="TakenAtUtc">Host time of the save.</param>
/// <param name="ImageVersion">The <see cref="DomainImage.Version"/> it was captured with.</param>
/// <param name="VirtualTimeNs">The domain's virtual time at capture, in nanoseconds.</param>
/// <param name="FrameCount">The domain's frames; pages not in the map are zero.</param>
/// <param name="PageCount">How many non-zero pages the map lists.</param>
/// <param name="AddedBytes">The encoded bytes of the chunks this save added to the store.</param>
/// <param name="Sections">The components' state sections.</param>
/// <param name="MapChunks">The page-map chunks' addresses, in pfn order.</param>
internal sealed record SnapshotRecord(
    string Name,
    string DomainName,
    DateTimeOffset TakenAtUtc,
    int ImageVersion,
    long VirtualTimeNs,
    long FrameCount,
    long PageCount,
    long AddedBytes,
    IReadOnlyList<StateSection> Sections,
    IReadOnlyList<string> MapChunks)
{
    /// <summary>The record's own size as stored (sections and map addresses), roughly.</summary>
    public long RecordBytes => 128 + Name.Length + DomainName.Length + (MapChunks.Count * 32) + Sections.Sum(s => 16L + s.Name.Length + s.Payload.Length);

    public SnapshotInfo Info => new(Name, DomainName, TakenAtUtc, DomainImageLimits.MemoryBytes(FrameCount), AddedBytes + RecordBytes);
}
