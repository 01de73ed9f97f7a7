namespace ActorVisor.Abi;

/// <summary>Xen ELF note types (XEN_ELFNOTE_* in elfnote.h); only notes named "Xen" count.</summary>
public enum ElfNoteType
{
    Info = 0,
    Entry = 1,
    HypercallPage = 2,
    VirtBase = 3,
    PaddrOffset = 4,
    XenVersion = 5,
    GuestOs = 6,
    GuestVersion = 7,
    Loader = 8,
    PaeMode = 9,
    Features = 10,
    BsdSymtab = 11,
    HvStartLow = 12,
    L1MfnValid = 13,
    SuspendCancel = 14,
    InitP2m = 15,
    ModStartPfn = 16,
    SupportedFeatures = 17,
    Phys32Entry = 18,
    Phys32Reloc = 19,
}
