using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The per-vCPU GDT as the CPU reads it: 16 pages in the hypervisor's part of the guest address
/// space (64-bit: L4 slot 260, Xen's per-domain area; 32-bit PAE: 0xFFE00000, the last 2 MiB of the Xen part
/// of the slot-3 L2, above the compat M2P). Pages 0-13 map the guest's own GDT frames (set_gdt) read-only; page 14 holds Xen's
/// reserved descriptors (selectors 0xe008-0xe033, see the ABI brief §2.8). The tables are
/// hypervisor frames with supervisor-only entries, hooked into every root table the vCPU loads, so
/// segment loads, far transfers and a native iretq find FLAT_KERNEL_CS and friends as on Xen.
/// </summary>
public sealed class XenGdtArea
{
    /// <summary>The GDT's linear base for 64-bit guests (Xen's PERDOMAIN_VIRT_START, L4 slot 260).</summary>
    public const ulong Base64 = 0xFFFF_8200_0000_0000;

    /// <summary>The GDT's linear base for 32-bit guests, inside the hypervisor hole.</summary>
    public const ulong Base32 = 0xFFE0_0000;

    /// <summary>GDTR limit: 8192 descriptors (14 guest pages, Xen's page, one spare).</summary>
    public const ushort Limit = 0xFFFF;

    private const int ReservedPage = HypervisorLayout.FirstReservedGdtEntry / 512;
    private const ulong SupervisorTable = PteFlags.Present | PteFlags.ReadWrite | PteFlags.Accessed | PteFlags.Dirty;
    private const ulong ReadOnlyPage = PteFlags.Present | PteFlags.Accessed;

    private readonly Machine _machine;
    private readonly GuestWidth _width;
    private readonly ulong _l3;
    private readonly ulong _l2;
    private readonly ulong _l1;
    private readonly ulong _reservedPage;

    private XenGdtArea(Machine machine, GuestWidth width, ulong l3, ulong l2, ulong l1, ulong reservedPage)
    {
        _machine = machine;
        _width = width;
        _l3 = l3;
        _l2 = l2;
        _l1 = l1;
        _reservedPage = reservedPage;
        WriteReservedDescriptors(machine.Memory.Frame(reservedPage), width);
        machine.Memory.WriteEntry(l1, ReservedPage, (reservedPage << PageGeometry.PageShift) | ReadOnlyPage);
        if (width == GuestWidth.Bits64)
        {
            machine.Memory.WriteEntry(l3, 0, (l2 << PageGeometry.PageShift) | SupervisorTable);
            machine.Memory.WriteEntry(l2, 0, (l1 << PageGeometry.PageShift) | SupervisorTable);
        }
    }

    /// <summary>The hypervisor frames of the area (its L3, L2 and L1 and the page of Xen's descriptors), freed with the domain.</summary>
    public IReadOnlyList<ulong> Frames => [_l3, _l2, _l1, _reservedPage];

    /// <summary>The linear base to load into GDTR.</summary>
    public ulong Base => _width == GuestWidth.Bits64 ? Base64 : Base32;

    /// <summary>Allocates the hypervisor frames of one vCPU's GDT area; null when machine memory is exhausted.</summary>
    public static XenGdtArea? TryCreate(Machine machine, GuestWidth width)
    {
        var frames = new ulong[4];
        for (int i = 0; i < frames.Length; i++)
        {
            if (!machine.TryAllocateFrame(DomId.Xen, out frames[i]))
            {
                return null;
            }
        }

        return new XenGdtArea(machine, width, frames[0], frames[1], frames[2], frames[3]);
    }

    /// <summary>Hooks the area into root table <paramref name="rootMfn"/> (a validated L4, or a PAE L3 whose slot 3 holds an L2).</summary>
    public void InstallInto(ulong rootMfn)
    {
        var memory = _machine.Memory;
        if (rootMfn == 0 || !memory.Contains(rootMfn))
        {
            return;
        }

        if (_width == GuestWidth.Bits64)
        {
            memory.WriteEntry(rootMfn, (int)((Base64 >> 39) & 511), (_l3 << PageGeometry.PageShift) | SupervisorTable);
            return;
        }

        ulong slot3 = memory.ReadEntry(rootMfn, HypervisorLayout.PaeXenL3Slot);
        ulong l2 = PteFlags.FrameOf(slot3);
        if ((slot3 & PteFlags.Present) != 0 && memory.Contains(l2))
        {
            memory.WriteEntry(l2, (int)((Base32 >> 21) & 511), (_l1 << PageGeometry.PageShift) | SupervisorTable);
        }
    }

    /// <summary>Maps the guest's GDT frames (set_gdt) read-only at pages 0..n-1 and unmaps the rest of the guest part.</summary>
    public void MapGuestFrames(IReadOnlyList<ulong> frames)
    {
        for (int i = 0; i < ReservedPage; i++)
        {
            ulong entry = i < frames.Count ? (frames[i] << PageGeometry.PageShift) | ReadOnlyPage : 0;
            _machine.Memory.WriteEntry(_l1, i, entry);
        }
    }

    private static void WriteReservedDescriptors(Span<byte> page, GuestWidth width)
    {
        static void Put(Span<byte> page, ushort selector, ulong descriptor) =>
            BitConverter.TryWriteBytes(page[((selector & 0xFFF8) - 0xE000)..], descriptor);

        Put(page, 0xE008, 0x00AF_9B00_0000_FFFF);
        Put(page, 0xE010, 0x00CF_9300_0000_FFFF);
        if (width == GuestWidth.Bits64)
        {
            Put(page, 0xE023, 0x00CF_FB00_0000_FFFF);
            Put(page, 0xE02B, 0x00CF_F300_0000_FFFF);
            Put(page, 0xE033, 0x00AF_FB00_0000_FFFF);
        }
        else
        {
            Put(page, 0xE019, 0x00CF_BB00_0000_FFFF);
            Put(page, 0xE021, 0x00CF_B300_0000_FFFF);
            Put(page, 0xE02B, 0x00CF_FB00_0000_FFFF);
            Put(page, 0xE033, 0x00CF_F300_0000_FFFF);
        }
    }
}
