using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>Per-frame flags of the frame table.</summary>
[Flags]
public enum FrameFlags : byte
{
    None = 0,

    /// <summary>The frame belongs to its owner (the allocation holds one general reference).</summary>
    Allocated = 1,

    /// <summary>The contents were checked for the current type.</summary>
    Validated = 2,

    /// <summary>The guest pinned the frame: one type reference is held on its behalf.</summary>
    Pinned = 4,

    /// <summary>32-bit PAE: the L2 sits in slot 3 of an L3 and carries Xen's compat mappings.</summary>
    PaeXenL2 = 8,

    /// <summary>A hypervisor page (shared_info, grant frames) that <see cref="FrameInfo.SharedWith"/> may map read/write.</summary>
    SharedWithGuest = 16,

    /// <summary>
    /// The owner was destroyed while another domain still held references (a grant mapping): the
    /// allocation reference is gone and the frame is freed when the last reference is put.
    /// </summary>
    Relinquished = 32,
}

/// <summary>
/// Bookkeeping of one machine frame: owner, general reference count, type, type count, flags, and
/// the linear-page-table counter (positive: this table holds that many linear entries; negative:
/// that many linear entries elsewhere point at it).
/// </summary>
public struct FrameInfo
{
    public DomId Owner;
    public uint RefCount;
    public PageType Type;
    public uint TypeCount;
    public FrameFlags Flags;
    public int LinearCount;
    public DomId SharedWith;

    public readonly bool IsAllocated => (Flags & FrameFlags.Allocated) != 0;
    public readonly bool IsValidated => (Flags & FrameFlags.Validated) != 0;
    public readonly bool IsPinned => (Flags & FrameFlags.Pinned) != 0;
    public readonly bool IsPaeXenL2 => (Flags & FrameFlags.PaeXenL2) != 0;

    public override readonly string ToString() =>
        $"owner {Owner} refs {RefCount} type {Type}/{TypeCount} flags {Flags} linear {LinearCount}";
}
