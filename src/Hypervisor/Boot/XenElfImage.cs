using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>A loadable segment: <see cref="FileSize"/> bytes from the file at <see cref="FileOffset"/>, zero-filled to <see cref="MemorySize"/>.</summary>
public sealed record ElfSegment(ulong PhysicalAddress, ulong VirtualAddress, ulong FileOffset, ulong FileSize, ulong MemorySize, uint Flags);

/// <summary>
/// A parsed and checked Xen PV kernel. Virtual addresses follow Xen's rule: a segment lands at
/// p_paddr + <see cref="VirtOffset"/>, where VirtOffset = virt_base - paddr_offset.
/// </summary>
public sealed record XenElfImage(
    GuestWidth Width,
    ulong Entry,
    ulong VirtBase,
    ulong VirtOffset,
    ulong KernelStart,
    ulong KernelEnd,
    ulong? HypercallPage,
    uint RequiredFeatures,
    uint OfferedFeatures,
    XenGuestInfo Info,
    IReadOnlyList<ElfSegment> Segments,
    ReadOnlyMemory<byte> File)
{
    /// <summary>The guest virtual address a segment's first byte is copied to.</summary>
    public ulong LoadAddress(ElfSegment segment) => segment.PhysicalAddress + VirtOffset;
}

/// <summary>Outcome of parsing a kernel image: the image, or the refusal with a detail for humans.</summary>
public readonly record struct ElfParseResult(XenElfImage? Image, ElfLoadError Error, string Detail)
{
    public bool Succeeded => Image is not null;

    public static ElfParseResult Fail(ElfLoadError error, string detail) => new(null, error, detail);
}
