namespace ActorVisor.Hypervisor.Boot;

/// <summary>Why a kernel image was refused; each case is something the image's author can fix.</summary>
public enum ElfLoadError
{
    None = 0,

    /// <summary>The file does not start with the ELF magic.</summary>
    NotElf,

    /// <summary>The ELF class, byte order or type is not a little-endian executable.</summary>
    UnsupportedFormat,

    /// <summary>The machine is neither EM_X86_64 nor EM_386.</summary>
    WrongMachine,

    /// <summary>A header, segment or note lies beyond the end of the file.</summary>
    Truncated,

    /// <summary>No PT_LOAD segment with R, W or X.</summary>
    NoLoadableSegments,

    /// <summary>No Xen notes in PT_NOTE segments or SHT_NOTE sections and no __xen_guest section.</summary>
    NoXenNotes,

    /// <summary>LOADER is not "generic" (and GUEST_OS not "linux"), or XEN_VERSION is not "xen-3.0".</summary>
    NotAXenImage,

    /// <summary>A 32-bit image without PAE: Xen no longer runs non-PAE guests.</summary>
    NonPaeGuest,

    /// <summary>The image requires a feature this host does not offer (or that PV forbids, such as auto_translated_physmap).</summary>
    UnsupportedRequiredFeature,

    /// <summary>Two loadable segments overlap in the physical layout.</summary>
    OverlappingSegments,

    /// <summary>The entry point, virtual base or kernel range are inconsistent.</summary>
    BadAddresses,

    /// <summary>PADDR_OFFSET was given without VIRT_BASE.</summary>
    PaddrOffsetWithoutVirtBase,

    /// <summary>The kernel does not fit the guest's virtual address space.</summary>
    AddressOutsideGuestSpace,

    /// <summary>The file is a bzImage whose payload could not be found, decompressed, or is not an ELF image.</summary>
    BadBzImage,
}
