using ActorVisor.Abi;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>set_trap_table, stack_switch, set_callbacks, callback_op, set_segment_base and iret.</summary>
public sealed partial class PvVcpu
{
    private const byte NmiVector = 2;

    /// <summary>The RPL of guest kernel selectors: 3 for 64-bit guests, 1 for 32-bit guests.</summary>
    private int KernelRpl => _domain.Width == GuestWidth.Bits64 ? 3 : 1;

    private ushort FixRpl(ulong selector) => (ushort)((selector & 0xFFFC) | (uint)Math.Max((int)(selector & 3), KernelRpl));

    private long SetTrapTable(ulong table)
    {
        if (table == 0)
        {
            Array.Clear(_trapTable);
            return 0;
        }

        var layout = TrapStructLayout.For(_domain.Width);
        for (int i = 0; i < 256; i++)
        {
            ulong entry = table + (ulong)(i * layout.TrapInfoSize);
            if (!_guest.TryReadLong(entry + (ulong)layout.TrapInfoAddress, out var address) || !_guest.TryReadU16(entry + TrapStructLayout.TrapInfoCs, out var cs)
                || !_guest.TryReadU16(entry, out var vectorAndFlags))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            if (address == 0)
            {
                break;
            }

            if (_domain.Width == GuestWidth.Bits64 && !HypervisorLayout.IsCanonical(address))
            {
                return XenErrno.Inval.ToReturnValue();
            }

            _trapTable[vectorAndFlags & 0xFF] = new TrapEntry((byte)(vectorAndFlags >> 8), FixRpl(cs), address);
        }

        return 0;
    }

    private long StackSwitch(ulong ss, ulong sp)
    {
        _kernelSs = FixRpl(ss);
        _kernelSp = sp;
        return 0;
    }

    private long SetCallbacks(ReadOnlySpan<ulong> a)
    {
        if (_domain.Width == GuestWidth.Bits64)
        {
            _eventCallback = new Callback(Selectors.KernelCs64, a[0], MasksEvents: true);
            _failsafeCallback = new Callback(Selectors.KernelCs64, a[1], MasksEvents: false);
            _syscallCallback = new Callback(Selectors.KernelCs64, a[2], MasksEvents: false);
        }
        else
        {
            _eventCallback = new Callback(FixRpl(a[0]), a[1], MasksEvents: true);
            _failsafeCallback = new Callback(FixRpl(a[2]), a[3], MasksEvents: false);
        }

        return 0;
    }

    private long CallbackOpCall(int command, ulong arg)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        if (!_guest.TryReadU16(arg, out var typeValue))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        var type = (CallbackType)typeValue;
        if (command == CallbackOp.Unregister)
        {
            if (type != CallbackType.Nmi)
            {
                return XenErrno.Inval.ToReturnValue();
            }

            _nmiCallback = default;
            _trapTable[NmiVector] = default;
            return 0;
        }

        if (command != CallbackOp.Register)
        {
            return XenErrno.NoSys.ToReturnValue();
        }

        ulong address;
        ushort cs;
        if (!_guest.TryReadU16(arg + 2, out var flags))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        if (is64)
        {
            if (!_guest.TryReadU64(arg + 8, out address))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            if (!HypervisorLayout.IsCanonical(address))
            {
                return XenErrno.Inval.ToReturnValue();
            }

            cs = Selectors.KernelCs64;
        }
        else
        {
            if (!_guest.TryReadU32(arg + 4, out var cs32) || !_guest.TryReadU32(arg + 8, out var eip))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            cs = FixRpl(cs32);
            address = eip;
        }

        bool mask = (flags & CallbackOp.MaskEvents) != 0;
        switch (type)
        {
            case CallbackType.Event:
                _eventCallback = new Callback(cs, address, MasksEvents: true);
                return 0;
            case CallbackType.Failsafe:
                _failsafeCallback = new Callback(cs, address, mask);
                return 0;
            case CallbackType.Syscall when is64:
                _syscallCallback = new Callback(cs, address, mask);
                return 0;
            case CallbackType.Nmi:
                _nmiCallback = new Callback(cs, address, MasksEvents: true);
                _trapTable[NmiVector] = new TrapEntry(0, cs, address);
                return 0;
            case CallbackType.Sysenter:
            case CallbackType.Syscall32:
                // Only reached by 32-bit user code under a 64-bit kernel, which this CPU model does not enter.
                return 0;
            default:
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    private long SetSegmentBase(uint which, ulong value)
    {
        if (_domain.Width != GuestWidth.Bits64)
        {
            return XenErrno.NoSys.ToReturnValue();
        }

        if (which != (uint)SegmentBaseKind.GsUserSel && !HypervisorLayout.IsCanonical(value))
        {
            return XenErrno.Inval.ToReturnValue();
        }

        switch ((SegmentBaseKind)which)
        {
            case SegmentBaseKind.Fs:
                Cpu.SetFsBase(value);
                return 0;
            case SegmentBaseKind.GsUser:
                if (_mmu.InKernelMode)
                {
                    _gsBaseUser = value;
                }
                else
                {
                    Cpu.SetGsBase(value);
                }

                return 0;
            case SegmentBaseKind.GsKernel:
                if (_mmu.InKernelMode)
                {
                    Cpu.SetGsBase(value);
                }
                else
                {
                    _gsBaseKernel = value;
                }

                return 0;
            case SegmentBaseKind.GsUserSel:
                // The user %gs selector: flat in this model, so only the selector is recorded; the user GS base becomes 0 as a null load would make it.
                _gsBaseUser = 0;
                return 0;
            default:
                return XenErrno.Inval.ToReturnValue();
        }
    }

    /// <summary>The iret hypercall: returns from a bounce frame, restoring the upcall mask from the saved IF.</summary>
    private long Iret() => _domain.Width == GuestWidth.Bits64 ? Iret64() : Iret32();

    private long Iret64()
    {
        ulong rsp = Cpu.GetGpr(RegRsp);
        Span<ulong> f = stackalloc ulong[9];
        for (int i = 0; i < 9; i++)
        {
            if (!_guest.TryReadU64(rsp + (ulong)(i * 8), out f[i]))
            {
                _stopWith = CrashSlice(0, $"iret frame at {rsp:x} is not readable");
                return NoReturn;
            }
        }

        (ulong rax, ulong r11, ulong rcx, ulong flags, ulong rip, ulong cs, ulong rflags, ulong newRsp, ulong ss) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
        if ((cs & 3) == 3 && _mmu.InKernelMode)
        {
            if (_mmu.UserRootMfn == 0)
            {
                _stopWith = CrashSlice(0, "iret to user mode without a user page table (MMUEXT_NEW_USER_BASEPTR)");
                return NoReturn;
            }

            ToggleGuestMode();
        }

        Cpu.Rip = rip;
        bool compat = (cs | 3) == Selectors.UserCs32On64;
        Cpu.SetSegment(SegCs, compat ? SegmentState.Code32((ushort)(cs | 3), 3) : SegmentState.Code64((ushort)(cs | 3), 3));
        Cpu.SetSegment(SegSs, SegmentState.Data((ushort)(ss | 3), 3));
        Cpu.SetGpr(RegRsp, newRsp);
        ulong newFlags = (rflags & ~(FlagIopl | FlagVm)) | FlagIf | 2;
        Cpu.Rflags = newFlags;
        if ((flags & VcpuGuestContextFlags.InSyscall) != 0)
        {
            Cpu.SetGpr(RegRcx, rip);
            Cpu.SetGpr(RegR11, newFlags);
        }
        else
        {
            Cpu.SetGpr(RegR11, r11);
            Cpu.SetGpr(RegRcx, rcx);
        }

        _domain.SharedInfo.SetUpcallMask(Id, (rflags & FlagIf) == 0);
        Cpu.SetGpr(RegRax, rax);
        return NoReturn;
    }

    private long Iret32()
    {
        ulong esp = (uint)Cpu.GetGpr(RegRsp);
        Span<uint> f = stackalloc uint[6];
        for (int i = 0; i < 4; i++)
        {
            if (!_guest.TryReadU32(esp + (ulong)(i * 4), out f[i]))
            {
                _stopWith = CrashSlice(0, $"iret frame at {esp:x} is not readable");
                return NoReturn;
            }
        }

        (uint eax, uint eip, uint cs, uint eflags) = (f[0], f[1], f[2], f[3]);
        int rpl = (int)(cs & 3);
        if (rpl == 0)
        {
            _stopWith = CrashSlice(0, $"iret to ring 0 (cs {cs:x})");
            return NoReturn;
        }

        if ((eflags & FlagVm) != 0)
        {
            // A virtual-8086 return is refused with #GP, as Xen does; the frame or the crash is already set up.
            Reflect(ExceptionVector.GeneralProtection, 0);
            return NoReturn;
        }

        ulong newEsp = esp + 16;
        if (rpl != 1)
        {
            if (!_guest.TryReadU32(esp + 16, out f[4]) || !_guest.TryReadU32(esp + 20, out f[5]))
            {
                _stopWith = CrashSlice(0, $"iret frame at {esp:x} is not readable");
                return NoReturn;
            }

            newEsp = f[4];
            Cpu.SetSegment(SegSs, SegmentState.Data((ushort)f[5], (int)(f[5] & 3)));
        }

        Cpu.SetSegment(SegCs, SegmentState.Code32((ushort)cs, rpl));
        Cpu.Rip = eip;
        Cpu.SetGpr(RegRsp, newEsp);
        Cpu.Rflags = (eflags & ~(FlagIopl | FlagVm)) | FlagIf | 2;
        _domain.SharedInfo.SetUpcallMask(Id, (eflags & FlagIf) == 0);
        Cpu.SetGpr(RegRax, eax);
        return NoReturn;
    }
}
