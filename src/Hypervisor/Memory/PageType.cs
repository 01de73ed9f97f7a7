namespace ActorVisor.Hypervisor.Memory;

/// <summary>The use a machine frame is currently typed for, as Xen's frame table keeps it.</summary>
public enum PageType : byte
{
    /// <summary>No type: never typed since allocation.</summary>
    None = 0,
    L1 = 1,
    L2 = 2,
    L3 = 3,
    L4 = 4,

    /// <summary>A GDT or LDT page.</summary>
    SegDesc = 5,

    /// <summary>Memory sharing (not used here yet).</summary>
    Shared = 6,

    /// <summary>Mapped writable somewhere.</summary>
    Writable = 7,
}

/// <summary>Facts about page types.</summary>
public static class PageTypeExtensions
{
    /// <summary>True for the four page-table types.</summary>
    public static bool IsPageTable(this PageType type) => type is PageType.L1 or PageType.L2 or PageType.L3 or PageType.L4;

    /// <summary>True for the types whose contents must be validated before the type is held.</summary>
    public static bool NeedsValidation(this PageType type) => type.IsPageTable() || type == PageType.SegDesc;
}
