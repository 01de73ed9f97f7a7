namespace ActorVisor.Abi;

/// <summary>x86 page geometry shared by every PV guest.</summary>
public static class PageGeometry
{
    public const int PageShift = 12;
    public const int PageSize = 1 << PageShift;
    public const ulong PageMask = ~(ulong)(PageSize - 1);

    /// <summary>Page-table entries per 4 KiB table (8-byte entries in both 4-level and PAE paging).</summary>
    public const int EntriesPerTable = 512;
}
