using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>set_trap_table, stack_switch, set_callbacks, callback_op, fpu_taskswitch, set_segment_base.</summary>
public static partial class Hypercalls
{
    private static long SetTrapTable(PvVcpu vcpu, ulong table)
    {
        var domain = vcpu.Domain;
        if (table == 0)
        {
            Array.Clear(vcpu.TrapTable);
            return Ok;
        }

        var layout = TrapStructLayout.For(domain.Width);
        Span<byte> entry = stackalloc byte[layout.TrapInfoSize];
        for (int i = 0; i <= vcpu.TrapTable.Length; i++)
        {
            if (!vcpu.Memory.TryRead(table + (ulong)(i * layout.TrapInfoSize), entry))
            {
                return Fault;
            }

            ulong address = domain.Width == GuestWidth.Bits64
                ? BinaryPrimitives.ReadUInt64LittleEndian(entry[layout.TrapInfoAddress..])
                : BinaryPrimitives.ReadUInt32LittleEndian(entry[layout.TrapInfoAddress..]);
            if (address == 0)
            {
                return Ok;
            }

            if (domain.Width == GuestWidth.Bits64 && !HypervisorLayout.IsCanonical(address))
            {
                return Error(XenErrno.Inval);
            }

            byte vector = entry[TrapStructLayout.TrapInfoVector];
            ushort cs = FixRpl(domain, BinaryPrimitives.ReadUInt16LittleEndian(entry[TrapStructLayout.TrapInfoCs..]));
            vcpu.TrapTable[vector] = new TrapEntry(vector, entry[TrapStructLayout.TrapInfoFlags], cs, address);
        }

        return Ok;
    }

    private static long StackSwitch(PvVcpu vcpu, ulong ss, ulong sp)
    {
        vcpu.KernelSs = FixRpl(vcpu.Domain, ss);
        vcpu.KernelSp = sp;
        return Ok;
    }

    private static long SetCallbacks(PvVcpu vcpu, ulong a1, ulong a2, ulong a3, ulong a4)
    {
        var domain = vcpu.Domain;
        if (domain.Width == GuestWidth.Bits64)
        {
            vcpu.EventCallback = new CallbackEntry(Selectors.KernelCs64, a1, MasksEvents: true);
            vcpu.FailsafeCallback = new CallbackEntry(Selectors.KernelCs64, a2, MasksEvents: false);
            vcpu.SyscallCallback = new CallbackEntry(Selectors.KernelCs64, a3, MasksEvents: false);
        }
        else
        {
            vcpu.EventCallback = new CallbackEntry(FixRpl(domain, a1), a2, MasksEvents: true);
            vcpu.FailsafeCallback = new CallbackEntry(FixRpl(domain, a3), a4, MasksEvents: false);
        }

        return Ok;
    }

    private static long CallbackOp(PvVcpu vcpu, int command, ulong argument)
    {
        var domain = vcpu.Domain;
        bool is64 = domain.Width == GuestWidth.Bits64;
        Span<byte> arg = stackalloc byte[is64 ? 16 : 12];
        if (command == Abi.CallbackOp.Unregister)
        {
            if (!vcpu.Memory.TryRead(argument, arg[..2]))
            {
                return Fault;
            }

            return BinaryPrimitives.ReadUInt16LittleEndian(arg) == (ushort)CallbackType.Nmi
                ? UnregisterNmi(vcpu)
                : Error(XenErrno.Inval);
        }

        if (command != Abi.CallbackOp.Register)
        {
            return Error(XenErrno.NoSys);
        }

        if (!vcpu.Memory.TryRead(argument, arg))
        {
            return Fault;
        }

        var type = (CallbackType)BinaryPrimitives.ReadUInt16LittleEndian(arg);
        bool mask = (BinaryPrimitives.ReadUInt16LittleEndian(arg[2..]) & Abi.CallbackOp.MaskEvents) != 0;
        ushort cs = is64 ? Selectors.KernelCs64 : FixRpl(domain, BinaryPrimitives.ReadUInt32LittleEndian(arg[4..]));
        ulong address = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(arg[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(arg[8..]);
        if (is64 && !HypervisorLayout.IsCanonical(address))
        {
            return Error(XenErrno.Inval);
        }

        var entry = new CallbackEntry(cs, address, mask);
        switch (type)
        {
            case CallbackType.Event:
                vcpu.EventCallback = entry with { MasksEvents = true };
                return Ok;
            case CallbackType.Failsafe:
                vcpu.FailsafeCallback = entry;
                return Ok;
            case CallbackType.Syscall when is64:
                vcpu.SyscallCallback = entry;
                return Ok;
            case CallbackType.Syscall32:
                vcpu.Syscall32Callback = entry;
                return Ok;
            case CallbackType.Sysenter:
                vcpu.SysenterCallback = entry;
                return Ok;
            case CallbackType.Nmi:
                vcpu.TrapTable[2] = new TrapEntry(2, 0, cs, address);
                return Ok;
            default:
                return Error(XenErrno.NoSys);
        }
    }

    private static long UnregisterNmi(PvVcpu vcpu)
    {
        vcpu.TrapTable[2] = default;
        return Ok;
    }

    private static long FpuTaskswitch(PvVcpu vcpu, ulong set)
    {
        vcpu.VirtualCr0Ts = set != 0;
        return Ok;
    }

    private static long SetSegmentBase(PvVcpu vcpu, uint which, ulong value)
    {
        if (vcpu.Domain.Width != GuestWidth.Bits64)
        {
            return Error(XenErrno.NoSys);
        }

        if (which != (uint)SegmentBaseKind.GsUserSel && !HypervisorLayout.IsCanonical(value))
        {
            return Error(XenErrno.Inval);
        }

        switch ((SegmentBaseKind)which)
        {
            case SegmentBaseKind.Fs:
                vcpu.FsBase = value;
                return Ok;
            case SegmentBaseKind.GsUser:
                vcpu.GsBaseUser = value;
                return Ok;
            case SegmentBaseKind.GsKernel:
                vcpu.GsBaseKernel = value;
                return Ok;
            case SegmentBaseKind.GsUserSel:
                vcpu.GsUserSelector = (ushort)value;
                return Ok;
            default:
                return Error(XenErrno.Inval);
        }
    }
}
