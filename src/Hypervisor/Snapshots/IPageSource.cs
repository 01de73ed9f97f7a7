namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>Called once per saved guest page: its guest frame number (pfn) and its 4 KiB of content.</summary>
public delegate void PageVisitor(long pfn, ReadOnlySpan<byte> page);

/// <summary>
/// A domain's memory as a snapshot carries it, by guest frame number (pfn), never by machine frame:
/// machine frame numbers inside page tables and the p2m are canonicalised to pfns by the capture and
/// turned back into the new domain's machine frames by the restore. Frames
/// 0..<see cref="FrameCount"/>-1 exist; <see cref="ForEachPage"/> visits each frame that is not
/// all zero at most once, in increasing pfn order, and a frame it does not visit is zero. A source
/// backed by a store may read lazily and fail with <see cref="SnapshotFormatException"/>.
/// </summary>
public interface IPageSource
{
    long FrameCount { get; }

    void ForEachPage(PageVisitor visit);
}
