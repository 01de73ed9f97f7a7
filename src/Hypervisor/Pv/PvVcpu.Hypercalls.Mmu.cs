using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// Memory-management hypercalls: mmu_update, mmuext_op, update_va_mapping, set_gdt and
/// update_descriptor, over the page-type rules of <see cref="PageTables"/>. Besides the flushes the
/// guest asks for, the software TLB is flushed whenever an entry that granted write access is
/// replaced, so no stale writable translation can outlive the mapping that allowed it (a frame may
/// become a page table as soon as its last writable mapping is gone).
/// </summary>
public sealed partial class PvVcpu
{
    private const uint MmuUpdatePreempted = 0x8000_0000;
    private const int MmuBatch = 64;
    private const int MaxGdtEntries = HypervisorLayout.FirstReservedGdtEntry;

    private ulong[] _gdtFrames = [];

    private long MmuUpdate(ulong requests, uint count, ulong donePtr, uint foreignDom)
    {
        count &= ~MmuUpdatePreempted;
        Span<byte> raw = stackalloc byte[MmuBatch * TrapStructLayout.MmuUpdateSize];
        var batch = new MmuUpdateRequest[MmuBatch];
        uint done = 0;
        bool revokesWrite = false;
        var error = PageTableError.None;
        while (done < count && error == PageTableError.None)
        {
            int n = (int)Math.Min(MmuBatch, count - done);
            var bytes = raw[..(n * TrapStructLayout.MmuUpdateSize)];
            if (!_guest.TryRead(requests + ((ulong)done * TrapStructLayout.MmuUpdateSize), bytes))
            {
                return FinishBatch(done, donePtr, XenErrno.Fault);
            }

            for (int i = 0; i < n; i++)
            {
                batch[i] = new MmuUpdateRequest(BitConverter.ToUInt64(bytes[(i * 16)..]), BitConverter.ToUInt64(bytes[((i * 16) + 8)..]));
                revokesWrite |= SlotGrantsWrite(batch[i].Ptr);
            }

            var result = _domain.Mmu.MmuUpdate(_domain.Memory, batch.AsSpan(0, n), foreignDom, _flush);
            done += (uint)result.Done;
            error = result.Error;
        }

        if (revokesWrite)
        {
            Cpu.FlushTlb(includeGlobal: true);
        }

        return FinishBatch(done, donePtr, error.ToErrno());
    }

    private long MmuextOp(ulong opsPtr, uint count, ulong donePtr, uint foreignDom)
    {
        count &= ~MmuUpdatePreempted;
        var layout = TrapStructLayout.For(_domain.Width);
        ulong oldKernelRoot = _mmu.KernelRootMfn;
        ulong oldUserRoot = _mmu.UserRootMfn;
        var one = new MmuextRequest[1];
        uint done = 0;
        var errno = XenErrno.None;
        for (; done < count; done++)
        {
            ulong op = opsPtr + ((ulong)done * (ulong)layout.MmuextOpSize);
            if (!_guest.TryReadU32(op, out var cmd) || !_guest.TryReadLong(op + (ulong)layout.MmuextArg1, out var arg1)
                || !_guest.TryReadLong(op + (ulong)layout.MmuextArg2, out var arg2))
            {
                errno = XenErrno.Fault;
                break;
            }

            if (cmd == (uint)MmuextCommand.PinL4Table && _domain.Width == GuestWidth.Bits32Pae)
            {
                continue;
            }

            one[0] = new MmuextRequest(cmd, arg1, arg2);
            var result = _domain.Mmu.MmuextOp(_domain.Memory, _mmu, one, foreignDom, _flush);
            if (!result.Succeeded)
            {
                errno = result.Error.ToErrno();
                break;
            }
        }

        if (_mmu.KernelRootMfn != oldKernelRoot || _mmu.UserRootMfn != oldUserRoot)
        {
            LoadCr3();
        }

        Cpu.FlushTlb(includeGlobal: true);
        return FinishBatch(done, donePtr, errno);
    }

    private long FinishBatch(uint done, ulong donePtr, XenErrno errno)
    {
        if (donePtr != 0 && !_guest.TryWriteU32(donePtr, done))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        return errno.ToReturnValue();
    }

    private long UpdateVaMapping(ulong va, ulong pte, ulong flags)
    {
        if (_domain.Width == GuestWidth.Bits32Pae)
        {
            va &= 0xFFFF_FFFF;
        }

        bool revokesWrite = GuestPageWalk.FindL1Slot(_domain.Machine.Memory, _domain.Width, _mmu.CurrentRootMfn, va, out var l1, out var slot) == PageTableError.None
            && SlotGrantsWrite((l1 << PageGeometry.PageShift) | ((ulong)slot << 3));
        var error = _domain.Machine.PageTables.UpdateVaMapping(_domain.Memory, _mmu, va, pte, flags, _domain.Id, _flush);
        if (revokesWrite)
        {
            Cpu.FlushTlb(includeGlobal: true);
        }
        else
        {
            Cpu.FlushTlbPage(va);
        }

        return error.ToErrno().ToReturnValue();
    }

    /// <summary>True when the page-table slot at machine address <paramref name="ptr"/> (an mmu_update ptr) holds a present, writable entry.</summary>
    private bool SlotGrantsWrite(ulong ptr)
    {
        const ulong PresentWritable = PteFlags.Present | PteFlags.ReadWrite;
        ulong mfn = ptr >> PageGeometry.PageShift;
        var memory = _domain.Machine.Memory;
        return (ptr & 7) != (ulong)MmuUpdateCommand.MachphysUpdate && memory.Contains(mfn)
            && (memory.ReadEntry(mfn, (int)((ptr & 0xFFF) >> 3)) & PresentWritable) == PresentWritable;
    }

    private long UpdateVaMappingOtherDomain(ReadOnlySpan<ulong> a)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        var domid = new DomId((ushort)(is64 ? a[3] : a[4]));
        if (domid != DomId.Self && domid != _domain.Id)
        {
            return (_domain.Machine.Find(domid) is null ? XenErrno.Srch : XenErrno.Perm).ToReturnValue();
        }

        return is64 ? UpdateVaMapping(a[0], a[1], a[2]) : UpdateVaMapping(a[0], a[1] | (a[2] << 32), a[3]);
    }

    /// <summary>set_gdt(frames, entries): every frame must take the segment-descriptor type; all or nothing.</summary>
    private long SetGdt(ulong framesPtr, ulong entries)
    {
        if (entries > MaxGdtEntries)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        int count = (int)((entries + 511) / 512);
        var frames = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            if (!_guest.TryReadLong(framesPtr + (ulong)(i * _domain.Width.LongSize()), out frames[i]))
            {
                return XenErrno.Fault.ToReturnValue();
            }
        }

        return InstallGdt(frames);
    }

    /// <summary>Takes the segment-descriptor type on every frame (all or nothing) and makes them this vCPU's GDT.</summary>
    private long InstallGdt(ulong[] frames)
    {
        int count = frames.Length;
        var tables = _domain.Machine.PageTables;
        for (int i = 0; i < count; i++)
        {
            if (tables.GetPageAndType(frames[i], _domain.Memory, PageType.SegDesc) != PageTableError.None)
            {
                for (int j = i - 1; j >= 0; j--)
                {
                    tables.PutPageAndType(frames[j]);
                }

                return XenErrno.Inval.ToReturnValue();
            }
        }

        foreach (var old in _gdtFrames)
        {
            tables.PutPageAndType(old);
        }

        _gdtFrames = frames;
        _gdt?.MapGuestFrames(frames);
        Cpu.FlushTlb(includeGlobal: true);
        return 0;
    }

    /// <summary>update_descriptor(maddr, desc): one validated descriptor into a guest-owned frame.</summary>
    private long UpdateDescriptor(ulong machineAddress, ulong descriptor)
    {
        ulong mfn = machineAddress >> PageGeometry.PageShift;
        var frames = _domain.Machine.Frames;
        descriptor = DescriptorRules.WithGuestDpl(descriptor, _domain.Width);
        if ((machineAddress & 7) != 0 || !frames.Contains(mfn) || frames[mfn].Owner != _domain.Id || !DescriptorRules.IsAcceptable(descriptor, _domain.Width))
        {
            return XenErrno.Inval.ToReturnValue();
        }

        var type = frames[mfn].Type;
        if (frames[mfn].TypeCount > 0 && type != PageType.SegDesc && type != PageType.Writable)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        _domain.Machine.Memory.WriteEntry(mfn, (int)((machineAddress & 0xFFF) >> 3), descriptor);
        Cpu.InvalidateCodeFrame(mfn);
        return 0;
    }
}
