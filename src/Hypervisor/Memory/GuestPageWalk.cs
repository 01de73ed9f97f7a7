using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// Reads a guest's page tables in machine memory (no superpages: PV guests may not use them) to
/// find the L1 slot that maps an address, or to translate an address for hypercall argument access.
/// </summary>
public static class GuestPageWalk
{
    /// <summary>Highest guest-usable address + 1 for a 32-bit PAE guest.</summary>
    private const ulong Pae32Limit = HypervisorLayout.CompatVirtStart32;

    /// <summary>Finds the L1 table and slot mapping <paramref name="va"/> under root <paramref name="rootMfn"/>.</summary>
    public static PageTableError FindL1Slot(MachineMemory memory, GuestWidth width, ulong rootMfn, ulong va, out ulong l1Mfn, out int slot)
    {
        l1Mfn = 0;
        slot = (int)((va >> 12) & 511);
        return IsGuestAddress(width, va) ? WalkToL1(memory, width, rootMfn, va, out l1Mfn) : PageTableError.BadAddress;
    }

    private static PageTableError WalkToL1(MachineMemory memory, GuestWidth width, ulong rootMfn, ulong va, out ulong l1Mfn)
    {
        l1Mfn = 0;
        ulong table = rootMfn;
        int topShift = width == GuestWidth.Bits64 ? 39 : 30;
        for (int shift = topShift; shift > 12; shift -= 9)
        {
            if (!memory.Contains(table))
            {
                return PageTableError.NoL1ForAddress;
            }

            int index = shift == 30 && width == GuestWidth.Bits32Pae ? (int)((va >> 30) & 3) : (int)((va >> shift) & 511);
            ulong entry = memory.ReadEntry(table, index);
            if ((entry & PteFlags.Present) == 0 || (shift < topShift && (entry & PteFlags.PageSizeOrPat) != 0))
            {
                return PageTableError.NoL1ForAddress;
            }

            table = PteFlags.FrameOf(entry);
        }

        if (!memory.Contains(table))
        {
            return PageTableError.NoL1ForAddress;
        }

        l1Mfn = table;
        return PageTableError.None;
    }

    /// <summary>
    /// Translates <paramref name="va"/> to a machine address, requiring every level to be present
    /// and, for writes, writable. False when the access would fault.
    /// </summary>
    public static bool TryTranslate(MachineMemory memory, GuestWidth width, ulong rootMfn, ulong va, bool write, out ulong machineAddress)
    {
        machineAddress = 0;
        return IsGuestAddress(width, va) && TryTranslateAsHardware(memory, width, rootMfn, va, write, out machineAddress);
    }

    /// <summary>
    /// Translates like the MMU would, including the hypervisor's own mappings (the read-only M2P
    /// at 0xffff800000000000 for 64-bit guests). False when the access would fault.
    /// </summary>
    public static bool TryTranslateAsHardware(MachineMemory memory, GuestWidth width, ulong rootMfn, ulong va, bool write, out ulong machineAddress)
    {
        machineAddress = 0;
        if (width == GuestWidth.Bits64 ? !HypervisorLayout.IsCanonical(va) : va > uint.MaxValue)
        {
            return false;
        }

        if (WalkToL1(memory, width, rootMfn, va, out var l1) != PageTableError.None)
        {
            return false;
        }

        int slot = (int)((va >> 12) & 511);

        if (write && !PathWritable(memory, width, rootMfn, va))
        {
            return false;
        }

        ulong pte = memory.ReadEntry(l1, slot);
        if ((pte & PteFlags.Present) == 0 || (write && (pte & PteFlags.ReadWrite) == 0))
        {
            return false;
        }

        ulong frame = PteFlags.FrameOf(pte);
        if (!memory.Contains(frame))
        {
            return false;
        }

        machineAddress = (frame << PageGeometry.PageShift) | (va & 0xFFF);
        return true;
    }

    /// <summary>True when <paramref name="va"/> is an address the guest may map itself.</summary>
    public static bool IsGuestAddress(GuestWidth width, ulong va) => width == GuestWidth.Bits64
        ? HypervisorLayout.IsCanonical(va) && !HypervisorLayout.IsHypervisorAddress64(va)
        : va < Pae32Limit;

    private static bool PathWritable(MachineMemory memory, GuestWidth width, ulong rootMfn, ulong va)
    {
        // PAE L3 entries carry no RW bit of their own; 64-bit upper levels do.
        ulong table = rootMfn;
        int topShift = width == GuestWidth.Bits64 ? 39 : 30;
        for (int shift = topShift; shift > 12; shift -= 9)
        {
            int index = shift == 30 && width == GuestWidth.Bits32Pae ? (int)((va >> 30) & 3) : (int)((va >> shift) & 511);
            ulong entry = memory.ReadEntry(table, index);
            bool paeL3 = width == GuestWidth.Bits32Pae && shift == 30;
            if (!paeL3 && (entry & PteFlags.ReadWrite) == 0)
            {
                return false;
            }

            table = PteFlags.FrameOf(entry);
        }

        return true;
    }
}
