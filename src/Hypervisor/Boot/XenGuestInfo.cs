namespace ActorVisor.Hypervisor.Boot;

/// <summary>Where a kernel's Xen metadata was found.</summary>
public enum XenInfoSource
{
    /// <summary>ELF notes named "Xen" in PT_NOTE program headers.</summary>
    ProgramNotes,

    /// <summary>ELF notes named "Xen" in SHT_NOTE sections (no PT_NOTE carried any).</summary>
    SectionNotes,

    /// <summary>The legacy __xen_guest string section.</summary>
    LegacyString,
}

/// <summary>The Xen metadata of a kernel image, as its notes (or legacy string) state it.</summary>
public sealed record XenGuestInfo
{
    public XenInfoSource Source { get; init; }

    public ulong? Entry { get; init; }

    /// <summary>Virtual address of the hypercall page (already converted from a page number for the legacy string).</summary>
    public ulong? HypercallPage { get; init; }

    public ulong? VirtBase { get; init; }

    public ulong? PaddrOffset { get; init; }

    public string? XenVersion { get; init; }

    public string? GuestOs { get; init; }

    public string? GuestVersion { get; init; }

    public string? Loader { get; init; }

    public string? PaeMode { get; init; }

    public string? Features { get; init; }

    /// <summary>XENFEAT bits from SUPPORTED_FEATURES.</summary>
    public uint SupportedFeatures { get; init; }

    public ulong? InitP2m { get; init; }

    public bool ModStartPfn { get; init; }

    public ulong? HvStartLow { get; init; }

    /// <summary>Every note type that was present, for diagnostics and tests.</summary>
    public IReadOnlyList<int> NoteTypes { get; init; } = [];
}
