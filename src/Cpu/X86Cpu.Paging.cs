using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorVisor.Cpu;

/// <summary>
/// Paging and the software TLB. The TLB is direct-mapped by linear page; each entry has one tag per
/// access kind (read, write, execute) so a permission is a tag compare. Tags carry the privilege key
/// (user or supervisor) in bit 0, so a CPL change needs no flush. Invariants: an entry grants write
/// only after the walk set the dirty bit and only for a frame without decoded code; global entries
/// survive CR3 writes but not INVLPG of their page or a full flush.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const int TlbSize = 1024;
    private const ulong EmptyTag = ulong.MaxValue;
    private const ulong PageMask = ~0xFFFUL;

    [StructLayout(LayoutKind.Sequential)]
    private struct TlbEntry
    {
        public ulong ReadTag;
        public ulong WriteTag;
        public ulong ExecTag;
        public long Addend;
        public ulong Frame;
        public bool Global;
    }

    private readonly TlbEntry[] _tlb;
    private readonly TlbEntry* _tlbBase;
    private ulong _tlbKey;

    private enum Access
    {
        Read,
        Write,
        Execute,
    }

    /// <summary>Drops every TLB entry (with <paramref name="includeGlobal"/>) or every non-global one, as a CR3 write does.</summary>
    public void FlushTlb(bool includeGlobal = true)
    {
        _chainEpoch++;
        for (var i = 0; i < TlbSize; i++)
        {
            ref var e = ref _tlbBase[i];
            if (includeGlobal || !e.Global)
            {
                e = new TlbEntry { ReadTag = EmptyTag, WriteTag = EmptyTag, ExecTag = EmptyTag };
            }
        }
    }

    /// <summary>Drops the TLB entry of one linear page, global or not, as INVLPG does.</summary>
    public void FlushTlbPage(ulong linearAddress)
    {
        _chainEpoch++;
        ref var e = ref _tlbBase[(linearAddress >> 12) & (TlbSize - 1)];
        e = new TlbEntry { ReadTag = EmptyTag, WriteTag = EmptyTag, ExecTag = EmptyTag };
    }

    /// <summary>Translates on a TLB miss: walks the page tables, sets A/D bits, fills the entry, or records a #PF.</summary>
    private bool FillTlb(ulong linear, Access access, out TlbEntry* entry)
    {
        var user = _tlbKey == 1;
        entry = null;
        if (linear >= LimitSentinel && _mode != CpuMode.Long64)
        {
            return RaiseLimitFault(linear);
        }
        if (_mode == CpuMode.Long64 && !IsCanonical(linear))
        {
            // No TLB entry ever holds a non-canonical tag, so every such access arrives here: #GP(0), or #SS(0) for a stack reference (decided by the run loop, which knows the instruction).
            RaiseGp();
            _nonCanonicalFault = true;
            return false;
        }
        ulong frame;
        bool writable, executable, global, dirty;
        if ((_cr0 & Cr0Pg) == 0)
        {
            frame = (linear & 0xFFFFFFFF) >> 12;
            writable = executable = dirty = true;
            global = false;
        }
        else if (!Walk(linear, access, user, out frame, out writable, out executable, out global, out dirty))
        {
            return false;
        }
        var host = _memory.TryGetFrame(frame);
        if (host == null)
        {
            return MissingFrame(frame << 12);
        }
        var page = linear & PageMask;
        entry = &_tlbBase[(linear >> 12) & (TlbSize - 1)];
        var tag = page | _tlbKey;
        var watched = _watchedPageCount != 0 && IsWatchedPage(page);
        entry->ReadTag = watched ? EmptyTag : tag;
        entry->WriteTag = writable && dirty && !watched && !_codeFrames.ContainsKey(frame) ? tag : EmptyTag;
        entry->ExecTag = executable ? tag : EmptyTag;
        entry->Addend = (long)host - (long)page;
        entry->Frame = frame;
        entry->Global = global;
        return true;
    }

    /// <summary>
    /// Walks 4-level (long mode) or 3-level PAE tables for one access. On success returns the 4 KiB frame
    /// and the permissions of the whole path; on failure records #PF with the architectural error code.
    /// </summary>
    private bool Walk(ulong linear, Access access, bool user, out ulong frame, out bool writable, out bool executable, out bool global, out bool dirty)
    {
        frame = 0;
        writable = executable = global = dirty = false;
        var nxe = (_efer & EferNxe) != 0;
        var reservedNx = nxe ? 0UL : 1UL << 63;
        var write = access == Access.Write;
        var longMode = (_efer & EferLma) != 0;
        if (!longMode && (_cr4 & Cr4Pae) == 0)
        {
            return WalkLegacy(linear, access, user, out frame, out writable, out executable, out global, out dirty);
        }
        const ulong AddressBits = 0x000FFFFFFFFFF000UL;
        Span<nint> entries = stackalloc nint[4];
        var levels = 0;
        bool rw = true, us = true, nx = false;
        ulong table;
        int level;
        if (longMode)
        {
            table = _cr3 & AddressBits;
            level = 4;
        }
        else
        {
            var pdpt = _memory.TryGetFrame((_cr3 & 0xFFFFFFE0) >> 12);
            if (pdpt == null)
            {
                return PageFault(linear, access, user, present: false, reserved: false);
            }
            var pdpte = *(ulong*)(pdpt + (_cr3 & 0xFE0) + (((linear >> 30) & 3) * 8));
            if ((pdpte & 1) == 0)
            {
                return PageFault(linear, access, user, present: false, reserved: false);
            }
            if ((pdpte & 0x1E6) != 0 || (pdpte & (1UL << 63)) != 0)
            {
                return PageFault(linear, access, user, present: true, reserved: true);
            }
            table = pdpte & AddressBits;
            level = 2;
        }
        while (true)
        {
            var shift = 12 + (9 * (level - 1));
            var host = _memory.TryGetFrame(table >> 12);
            if (host == null)
            {
                return MissingFrame(table);
            }
            var pointer = (ulong*)(host + (((linear >> shift) & 0x1FF) * 8));
            var pte = *pointer;
            if ((pte & 1) == 0)
            {
                return PageFault(linear, access, user, present: false, reserved: false);
            }
            var large = level > 1 && (pte & 0x80) != 0;
            if ((pte & reservedNx) != 0 || (level == 4 && (pte & 0x80) != 0) || (large && level == 3 && !longMode))
            {
                return PageFault(linear, access, user, present: true, reserved: true);
            }
            entries[levels++] = (nint)pointer;
            rw &= (pte & 2) != 0;
            us &= (pte & 4) != 0;
            nx |= nxe && (pte & (1UL << 63)) != 0;
            if (level == 1 || large)
            {
                var pageBase = large ? pte & AddressBits & ~((1UL << shift) - 1) & ~0xFFFUL : pte & AddressBits;
                if (large && ((pte >> 13) & ((1UL << (shift - 13)) - 1)) != 0)
                {
                    return PageFault(linear, access, user, present: true, reserved: true);
                }
                frame = (pageBase + (linear & ((1UL << shift) - 1))) >> 12;
                global = (pte & 0x100) != 0 && (_cr4 & Cr4Pge) != 0;
                dirty = (pte & 0x40) != 0;
                break;
            }
            table = pte & AddressBits;
            level--;
        }
        writable = rw || (!user && (_cr0 & Cr0Wp) == 0);
        if (user && !us)
        {
            return PageFault(linear, access, user, present: true, reserved: false);
        }
        if (write && !writable)
        {
            return PageFault(linear, access, user, present: true, reserved: false);
        }
        executable = !nx;
        if (access == Access.Execute && nx)
        {
            return PageFault(linear, access, user, present: true, reserved: false);
        }
        for (var i = 0; i < levels; i++)
        {
            var p = (long*)entries[i];
            if ((*p & 0x20) == 0)
            {
                Interlocked.Or(ref *p, 0x20);
            }
        }
        if (write && !dirty)
        {
            Interlocked.Or(ref *(long*)entries[levels - 1], 0x40);
            dirty = true;
        }
        return true;
    }

    /// <summary>Walks classic 2-level 32-bit tables (CR4.PAE clear), with 4 MiB pages when CR4.PSE allows.</summary>
    private bool WalkLegacy(ulong linear, Access access, bool user, out ulong frame, out bool writable, out bool executable, out bool global, out bool dirty)
    {
        frame = 0;
        writable = global = dirty = false;
        executable = true;
        var pdHost = _memory.TryGetFrame((_cr3 & 0xFFFFF000) >> 12);
        if (pdHost == null)
        {
            return PageFault(linear, access, user, present: false, reserved: false);
        }
        var pde = (uint*)(pdHost + (((linear >> 22) & 0x3FF) * 4));
        if ((*pde & 1) == 0)
        {
            return PageFault(linear, access, user, present: false, reserved: false);
        }
        uint* last;
        if ((*pde & 0x80) != 0 && (_cr4 & 0x10) != 0)
        {
            last = pde;
            frame = ((*pde & 0xFFC00000) >> 12) + ((linear >> 12) & 0x3FF);
        }
        else
        {
            var ptHost = _memory.TryGetFrame(*pde >> 12);
            if (ptHost == null)
            {
                return PageFault(linear, access, user, present: false, reserved: false);
            }
            last = (uint*)(ptHost + (((linear >> 12) & 0x3FF) * 4));
            if ((*last & 1) == 0)
            {
                return PageFault(linear, access, user, present: false, reserved: false);
            }
            frame = *last >> 12;
        }
        var rw = (*pde & 2) != 0 && (*last & 2) != 0;
        var us = (*pde & 4) != 0 && (*last & 4) != 0;
        writable = rw || (!user && (_cr0 & Cr0Wp) == 0);
        if ((user && !us) || (access == Access.Write && !writable))
        {
            return PageFault(linear, access, user, present: true, reserved: false);
        }
        Interlocked.Or(ref *(int*)pde, 0x20);
        Interlocked.Or(ref *(int*)last, access == Access.Write ? 0x60 : 0x20);
        dirty = (*last & 0x40) != 0;
        global = (*last & 0x100) != 0 && (_cr4 & Cr4Pge) != 0;
        return true;
    }

    private bool PageFault(ulong linear, Access access, bool user, bool present, bool reserved)
    {
        var code = PageFaultErrorCode.None;
        if (present)
        {
            code |= PageFaultErrorCode.Present;
        }
        if (access == Access.Write)
        {
            code |= PageFaultErrorCode.Write;
        }
        if (user)
        {
            code |= PageFaultErrorCode.User;
        }
        if (reserved)
        {
            code |= PageFaultErrorCode.ReservedBit;
        }
        if (access == Access.Execute && (_efer & EferNxe) != 0)
        {
            code |= PageFaultErrorCode.InstructionFetch;
        }
        RaiseFault(ExceptionVector.PageFault, (uint)code, linear);
        return false;
    }

    /// <summary>
    /// Translates a linear address for the hypervisor (as a supervisor access of the current privilege
    /// key), without touching the TLB's contents beyond a normal fill; false with a #PF event when unmapped.
    /// </summary>
    public bool TryTranslate(ulong linearAddress, bool write, out ulong physicalAddress, out CpuEvent fault)
    {
        var saved = _faultPending;
        physicalAddress = 0;
        fault = default;
        if (!FillTlb(linearAddress, write ? Access.Write : Access.Read, out var e))
        {
            fault = _pendingEvent;
            _faultPending = saved;
            return false;
        }
        physicalAddress = (e->Frame << 12) | (linearAddress & 0xFFF);
        return true;
    }

    /// <summary>Bits 63-47 of a 64-bit linear address all equal (48-bit linear addresses).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsCanonical(ulong linear) => (ulong)(((long)linear << 16) >> 16) == linear;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TlbIndex(ulong linear) => (int)((linear >> 12) & (TlbSize - 1));
}
