using ActorVisor.Abi;
using ActorVisor.Cpu;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// What Xen emulates for the guest kernel instead of reflecting #GP: control registers (only CR0.TS
/// may change; CR3 is a new base pointer), the FS/GS base MSRs and those of <see cref="PvMsrPolicy"/>, clts and wbinvd; and the
/// writable-page-table path, which turns a faulting store into a read-only L1 table into a
/// validated update.
/// </summary>
public sealed partial class PvVcpu
{
    private const ulong Cr0Ts = 1ul << 3;

    private EventDisposition EmulatePrivileged(in CpuEvent e)
    {
        ulong next = Cpu.Rip + (ulong)e.InstructionLength;
        switch (e.Operation)
        {
            case PrivilegedOperation.MovFromCr when e.Register >= 0:
                ulong value = e.ControlRegister switch
                {
                    0 => _virtualTs ? Cpu.Cr0 | Cr0Ts : Cpu.Cr0 & ~Cr0Ts,
                    2 => _virtualCr2,
                    3 => EncodeCr3(_mmu.KernelRootMfn),
                    4 => Cpu.Cr4,
                    _ => ulong.MaxValue,
                };
                if (value == ulong.MaxValue)
                {
                    break;
                }

                Cpu.SetGpr(e.Register, _domain.Width == GuestWidth.Bits64 ? value : (uint)value);
                Cpu.Rip = next;
                return EventDisposition.Handled;
            case PrivilegedOperation.MovToCr when e.Register >= 0:
                if (!WriteControlRegister(e.ControlRegister, Cpu.GetGpr(e.Register)))
                {
                    break;
                }

                Cpu.Rip = next;
                return EventDisposition.Handled;
            case PrivilegedOperation.Clts:
                _virtualTs = false;
                Cpu.Rip = next;
                return EventDisposition.Handled;
            case PrivilegedOperation.Wbinvd:
                Cpu.Rip = next;
                return EventDisposition.Handled;
            case PrivilegedOperation.Rdmsr:
                if (!TryReadPvMsr((uint)Cpu.GetGpr(RegRcx), out var msr))
                {
                    break;
                }

                Cpu.SetGpr(RegRax, (uint)msr);
                Cpu.SetGpr(RegRdx, msr >> 32);
                Cpu.Rip = next;
                return EventDisposition.Handled;
            case PrivilegedOperation.Wrmsr:
                ulong written = ((Cpu.GetGpr(RegRdx) & 0xFFFF_FFFF) << 32) | (Cpu.GetGpr(RegRax) & 0xFFFF_FFFF);
                if (!TryWritePvMsr((uint)Cpu.GetGpr(RegRcx), written))
                {
                    break;
                }

                Cpu.Rip = next;
                return EventDisposition.Handled;
        }

        return Reflect(ExceptionVector.GeneralProtection, 0);
    }

    private ulong EncodeCr3(ulong mfn) => _domain.Width == GuestWidth.Bits64
        ? mfn << PageGeometry.PageShift
        : (uint)((mfn << PageGeometry.PageShift) | (mfn >> 20));

    private bool WriteControlRegister(int index, ulong value)
    {
        switch (index)
        {
            case 0:
                if (((value ^ Cpu.Cr0) & ~Cr0Ts & 0xFFFF_FFFF) != 0)
                {
                    return false;
                }

                _virtualTs = (value & Cr0Ts) != 0;
                return true;
            case 3:
                ulong mfn = _domain.Width == GuestWidth.Bits64 ? (value & 0x000F_FFFF_FFFF_F000) >> 12 : (((uint)value >> 12) | ((uint)value << 20)) & 0xFFFF_FFFF;
                PageTableError error;
                lock (_domain.Machine.FrameLock)
                {
                    error = _domain.Machine.PageTables.NewBaseptr(_domain.Memory, _mmu, mfn, _flush);
                }

                if (error != PageTableError.None)
                {
                    return false;
                }

                LoadCr3();
                ApplyFlushes();
                return true;
            case 4:
                return value == Cpu.Cr4;
            default:
                return false;
        }
    }

    private bool TryReadPvMsr(uint index, out ulong value)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        switch (index)
        {
            case MsrFsBase when is64:
                value = Cpu.GetSegment(SegFs).Base;
                return true;
            case MsrGsBase when is64:
                value = Cpu.GetSegment(SegGs).Base;
                return true;
            case MsrShadowGsBase when is64:
                value = _gsBaseUser;
                return true;
            default:
                return PvMsrPolicy.TryRead(index, _domain.Width, out value);
        }
    }

    private bool TryWritePvMsr(uint index, ulong value)
    {
        bool segmentBase = index is MsrFsBase or MsrGsBase or MsrShadowGsBase;
        if (!segmentBase)
        {
            return PvMsrPolicy.TryWrite(index, value, _domain.Width);
        }

        if (_domain.Width != GuestWidth.Bits64 || !HypervisorLayout.IsCanonical(value))
        {
            return false;
        }

        switch (index)
        {
            case MsrFsBase:
                Cpu.SetFsBase(value);
                break;
            case MsrGsBase:
                Cpu.SetGsBase(value);
                break;
            default:
                _gsBaseUser = value;
                break;
        }

        return true;
    }

    /// <summary>
    /// The writable-page-table path: decodes the faulting store (MOV r/m, reg; MOV r/m, imm32; XCHG
    /// r/m, reg; CMPXCHG r/m, reg; 4 or 8 bytes), and when its target is a validated L1 of this domain
    /// applies it as a validated update and skips the instruction, as Xen's ptwr emulation does. XCHG
    /// hands the old entry to its register; CMPXCHG writes only when the entry equals the accumulator,
    /// else loads the entry into it, and sets the flags of the comparison either way. False (reflect
    /// the #PF) for anything else or a refused value.
    /// </summary>
    private bool TryEmulatePageTableWrite(ulong cr2)
    {
        if (!_guest.TryTranslate(cr2, write: false, out var machineAddress))
        {
            return false;
        }

        var frame = _domain.Machine.Frames[machineAddress >> PageGeometry.PageShift];
        if (frame.Type != PageType.L1 || frame.Owner != _domain.Id)
        {
            return false;
        }

        bool longMode = _domain.Width == GuestWidth.Bits64;
        Span<byte> code = stackalloc byte[15];
        if (!_guest.TryRead(Cpu.Rip, code) || !StoreDecoder.TryDecode(code, longMode, out var store))
        {
            return false;
        }

        ulong mask = store.SizeBytes == 4 ? 0xFFFF_FFFFul : ulong.MaxValue;
        Span<byte> current = stackalloc byte[8];
        if (!_guest.TryRead(cr2, current[..store.SizeBytes]))
        {
            return false;
        }

        ulong old = BitConverter.ToUInt64(current) & mask;
        ulong value = (store.SourceRegister >= 0 ? Cpu.GetGpr(store.SourceRegister) : store.Immediate) & mask;
        if (store.Kind == StoreKind.CompareExchange)
        {
            ulong expected = Cpu.GetGpr(RegRax) & mask;
            Cpu.Rflags = ComparisonFlags.After(Cpu.Rflags, expected, old, store.SizeBytes);
            if (expected != old)
            {
                SetGprSized(RegRax, old, store.SizeBytes);
                Cpu.Rip += (ulong)store.Length;
                return true;
            }
        }

        PageTableError error;
        lock (_domain.Machine.FrameLock)
        {
            error = _domain.Machine.PageTables.EmulateL1Write(_domain.Memory, machineAddress, value, store.SizeBytes, _flush);
        }

        if (error != PageTableError.None)
        {
            return false;
        }

        if (store.Kind == StoreKind.Exchange)
        {
            SetGprSized(store.SourceRegister, old, store.SizeBytes);
        }

        Cpu.FlushTlb(includeGlobal: true);
        _flush.Clear();
        Cpu.Rip += (ulong)store.Length;
        return true;
    }

    /// <summary>Writes a 4- or 8-byte result to a GPR; a 4-byte result clears bits 32-63, as a 32-bit register write does.</summary>
    private void SetGprSized(int register, ulong value, int sizeBytes) =>
        Cpu.SetGpr(register, sizeBytes == 4 ? (uint)value : value);
}
