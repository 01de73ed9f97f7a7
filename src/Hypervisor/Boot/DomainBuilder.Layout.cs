using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>The placement rules of Xen's PV domain builder (libxenguest's x86 PV layout).</summary>
public static partial class DomainBuilder
{
    private const ulong Page = PageGeometry.PageSize;
    private const ulong FourMiB = 4ul << 20;

    /// <summary>Pages of the boot stack plus the 512 KiB of mapped slack that must follow it.</summary>
    private const ulong StackAndSlackPages = 1 + 128;

    /// <summary>
    /// Places kernel, boot module (when <paramref name="moduleLength"/> is not zero), P2M list,
    /// start_info, XenStore and console pages, bootstrap page tables and the boot stack, in that
    /// order from the virtual base, and sizes the bootstrap mapping so it ends on a 4 MiB boundary
    /// with at least 512 KiB free after the stack.
    /// </summary>
    public static DomainBuildError ComputeLayout(XenElfImage image, ulong memoryPages, out BootLayout? layout, ulong moduleLength = 0)
    {
        layout = null;
        ulong virtBase = image.VirtBase;
        ulong cursor = RoundUp(image.KernelEnd, Page);
        ulong moduleVa = moduleLength == 0 ? 0 : cursor;
        cursor += RoundUp(moduleLength, Page);
        ulong p2mVa = cursor;
        ulong p2mPages = RoundUp(memoryPages * (ulong)image.Width.LongSize(), Page) / Page;
        cursor += p2mPages * Page;
        ulong startInfoVa = cursor;
        ulong storeVa = startInfoVa + Page;
        ulong consoleVa = storeVa + Page;
        ulong tablesVa = consoleVa + Page;

        ulong pages = StackAndSlackPages;
        ulong end;
        ulong tables;
        while (true)
        {
            end = RoundUp(tablesVa + (pages * Page), FourMiB);
            if (end <= tablesVa)
            {
                return DomainBuildError.MappingOutsideGuestSpace;
            }

            tables = CountTables(image.Width, virtBase, end - 1);
            pages = tables + StackAndSlackPages;
            if (tablesVa + (pages * Page) <= end)
            {
                break;
            }
        }

        bool inGuestSpace = image.Width == GuestWidth.Bits64
            ? HypervisorLayout.IsCanonical(end - 1) && !(virtBase < HypervisorLayout.VirtEnd64 && end > HypervisorLayout.VirtStart64)
            : end <= HypervisorLayout.CompatVirtStart32;
        if (!inGuestSpace)
        {
            return DomainBuildError.MappingOutsideGuestSpace;
        }

        if ((end - virtBase) / Page > memoryPages)
        {
            return DomainBuildError.LargerThanMemory;
        }

        ulong stackVa = tablesVa + (tables * Page);
        ulong? hypercallPfn = image.HypercallPage is { } hp ? (hp - virtBase) >> PageGeometry.PageShift : null;
        layout = new BootLayout(
            VirtBase: virtBase,
            KernelStart: image.KernelStart,
            KernelEnd: image.KernelEnd,
            P2mVa: p2mVa,
            P2mPages: p2mPages,
            StartInfoVa: startInfoVa,
            StorePfn: (storeVa - virtBase) / Page,
            ConsolePfn: (consoleVa - virtBase) / Page,
            PageTablesVa: tablesVa,
            PageTablesPfn: (tablesVa - virtBase) / Page,
            PageTableFrames: tables,
            StackVa: stackVa,
            MappedEnd: end,
            HypercallPagePfn: hypercallPfn,
            ModuleVa: moduleVa,
            ModuleLength: moduleLength);
        return DomainBuildError.None;
    }

    /// <summary>Page tables needed to map [<paramref name="from"/>, <paramref name="to"/>] (inclusive), top level included.</summary>
    public static ulong CountTables(GuestWidth width, ulong from, ulong to) => width == GuestWidth.Bits64
        ? 1 + TablesAt(from, to, 39) + TablesAt(from, to, 30) + TablesAt(from, to, 21)
        : 1 + 4 + TablesAt(from, to, 21);

    private static ulong TablesAt(ulong from, ulong to, int bits)
    {
        ulong mask = (1ul << bits) - 1;
        return (((to | mask) - (from & ~mask)) >> bits) + 1;
    }

    private static ulong RoundUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
