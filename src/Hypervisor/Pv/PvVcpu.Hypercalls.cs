using ActorVisor.Abi;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// Hypercall entry and dispatch. 64-bit guests enter through SYSCALL in guest kernel mode with the
/// number in rax and arguments in rdi, rsi, rdx, r10, r8; 32-bit guests through int $0x82 from
/// ring 1 with ebx, ecx, edx, esi, edi. The result goes to rax/eax and the guest resumes after the
/// trapping instruction, with a pending event delivered on the way out.
/// </summary>
public sealed partial class PvVcpu
{
    /// <summary>Result value meaning "the hypercall set the registers itself and does not return" (iret).</summary>
    private const long NoReturn = long.MinValue;

    private EventDisposition Hypercall(int instructionLength)
    {
        SyncClock();
        bool is64 = _domain.Width == GuestWidth.Bits64;
        Cpu.Rip += (ulong)instructionLength;
        int number = (int)(uint)Cpu.GetGpr(RegRax);
        Span<ulong> args = stackalloc ulong[5];
        if (is64)
        {
            args[0] = Cpu.GetGpr(RegRdi);
            args[1] = Cpu.GetGpr(RegRsi);
            args[2] = Cpu.GetGpr(RegRdx);
            args[3] = Cpu.GetGpr(RegR10);
            args[4] = Cpu.GetGpr(RegR8);
        }
        else
        {
            args[0] = (uint)Cpu.GetGpr(RegRbx);
            args[1] = (uint)Cpu.GetGpr(RegRcx);
            args[2] = (uint)Cpu.GetGpr(RegRdx);
            args[3] = (uint)Cpu.GetGpr(RegRsi);
            args[4] = (uint)Cpu.GetGpr(RegRdi);
        }

        long result = Dispatch(number, args, inMulticall: false);
        if (result != NoReturn)
        {
            Cpu.SetGpr(RegRax, is64 ? (ulong)result : (uint)result);
        }

        if (_domain.Host.TracesHypercalls)
        {
            _domain.Host.HypercallMade(_domain.Id, new HypercallTraceEntry(Id, number, HypercallName(number), args.ToArray(), result == NoReturn ? 0 : result, _domain.Clock.NowNs));
        }
        ApplyFlushes();
        if (_stopWith is null)
        {
            DeliverEventIfDeliverable();
        }

        return _stopWith is null ? EventDisposition.Handled : EventDisposition.Stop;
    }

    /// <summary>
    /// Makes a hypercall on behalf of this vCPU without the CPU trapping into it, as tools and
    /// tests do: the arguments are those the guest would pass in registers (zero-extended for a
    /// 32-bit guest), TLB maintenance is carried out, and the result is returned rather than
    /// written to rax. iret loads the registers from the frame at the current stack pointer and
    /// reports 0; anything that would crash the domain crashes it, and the next slice says so.
    /// </summary>
    public long InvokeHypercall(HypercallNumber number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
    {
        ReadOnlySpan<ulong> args = [a1, a2, a3, a4, a5];
        long result = Dispatch((int)number, args, inMulticall: false);
        ApplyFlushes();
        return result == NoReturn ? 0 : result;
    }

    /// <summary>
    /// Runs one hypercall and returns its result (negative: -errno), or <see cref="NoReturn"/>.
    /// The families that change the frame table run holding the machine's frame lock, since other
    /// domains of the machine may run on other threads.
    /// </summary>
    private long Dispatch(int number, ReadOnlySpan<ulong> a, bool inMulticall)
    {
        if (!ChangesFrames((HypercallNumber)number))
        {
            return DispatchUnlocked(number, a, inMulticall);
        }

        lock (_domain.Machine.FrameLock)
        {
            return DispatchUnlocked(number, a, inMulticall);
        }
    }

    private static bool ChangesFrames(HypercallNumber number) => number is HypercallNumber.MmuUpdate or HypercallNumber.SetGdt
        or HypercallNumber.UpdateDescriptor or HypercallNumber.MemoryOp or HypercallNumber.Multicall or HypercallNumber.UpdateVaMapping
        or HypercallNumber.UpdateVaMappingOtherdomain or HypercallNumber.GrantTableOp or HypercallNumber.VcpuOp or HypercallNumber.MmuextOp;

    private long DispatchUnlocked(int number, ReadOnlySpan<ulong> a, bool inMulticall)
    {
        _domain.CountHypercall(number);
        switch ((HypercallNumber)number)
        {
            case HypercallNumber.SetTrapTable:
                return SetTrapTable(a[0]);
            case HypercallNumber.MmuUpdate:
                return MmuUpdate(a[0], (uint)a[1], a[2], (uint)a[3]);
            case HypercallNumber.SetGdt:
                return SetGdt(a[0], a[1]);
            case HypercallNumber.StackSwitch:
                return StackSwitch(a[0], a[1]);
            case HypercallNumber.SetCallbacks:
                return SetCallbacks(a);
            case HypercallNumber.FpuTaskswitch:
                _virtualTs = (int)a[0] != 0;
                return 0;
            case HypercallNumber.SetDebugreg:
                return SetDebugRegister((int)a[0], _domain.Width == GuestWidth.Bits64 ? a[1] : (uint)a[1]);
            case HypercallNumber.GetDebugreg:
                return GetDebugRegister((int)a[0]);
            case HypercallNumber.UpdateDescriptor:
                return _domain.Width == GuestWidth.Bits64 ? UpdateDescriptor(a[0], a[1]) : UpdateDescriptor(a[0] | (a[1] << 32), a[2] | (a[3] << 32));
            case HypercallNumber.MemoryOp:
                return MemoryOp(a[0], a[1]);
            case HypercallNumber.Multicall when !inMulticall:
                return Multicall(a[0], a[1]);
            case HypercallNumber.UpdateVaMapping:
                return _domain.Width == GuestWidth.Bits64 ? UpdateVaMapping(a[0], a[1], a[2]) : UpdateVaMapping(a[0], a[1] | (a[2] << 32), a[3]);
            case HypercallNumber.UpdateVaMappingOtherdomain:
                return UpdateVaMappingOtherDomain(a);
            case HypercallNumber.SetTimerOp:
                SetSingleshot(_domain.Width == GuestWidth.Bits64 ? (long)a[0] : (long)(a[0] | (a[1] << 32)));
                return 0;
            case HypercallNumber.XenVersion:
                return XenVersion((int)a[0], a[1]);
            case HypercallNumber.ConsoleIo:
                return ConsoleIo((int)a[0], (uint)a[1], a[2]);
            case HypercallNumber.GrantTableOp:
                return GrantTableOpCall((uint)a[0], a[1], (uint)a[2]);
            case HypercallNumber.VmAssist:
                return VmAssistOp((uint)a[0], (uint)a[1]);
            case HypercallNumber.Iret when !inMulticall:
                return Iret();
            case HypercallNumber.VcpuOp:
                return VcpuOpCall((int)a[0], (uint)a[1], a[2]);
            case HypercallNumber.SetSegmentBase:
                return SetSegmentBase((uint)a[0], a[1]);
            case HypercallNumber.MmuextOp:
                return MmuextOp(a[0], (uint)a[1], a[2], (uint)a[3]);
            case HypercallNumber.SchedOp:
                return SchedOpCall((int)a[0], a[1]);
            case HypercallNumber.CallbackOp:
                return CallbackOpCall((int)a[0], a[1]);
            case HypercallNumber.EventChannelOp:
                return EventChannelOpCall((int)a[0], a[1]);
            case HypercallNumber.PhysdevOp:
                return PhysdevOpCall((int)a[0], a[1]);
            case HypercallNumber.Multicall:
            case HypercallNumber.Iret:
                return XenErrno.Inval.ToReturnValue();
            default:
                _domain.CountUnimplemented(number);
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    /// <summary>multicall(list, nr): runs each entry in order, writing each result; individual failures do not stop the batch.</summary>
    private long Multicall(ulong list, ulong count)
    {
        var layout = TrapStructLayout.For(_domain.Width);
        int longSize = _domain.Width.LongSize();
        Span<ulong> args = stackalloc ulong[6];
        for (ulong i = 0; i < count; i++)
        {
            ulong entry = list + (i * (ulong)layout.MulticallEntrySize);
            if (!_guest.TryReadLong(entry, out var op))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            for (int j = 0; j < 6; j++)
            {
                if (!_guest.TryReadLong(entry + (ulong)layout.MulticallArgs + (ulong)(j * longSize), out args[j]))
                {
                    return XenErrno.Fault.ToReturnValue();
                }
            }

            long result = Dispatch((int)op, args[..5], inMulticall: true);
            if (!_guest.TryWriteLong(entry + (ulong)layout.MulticallResult, (ulong)result))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            if (_stopWith is not null)
            {
                break;
            }
        }

        return 0;
    }

    private static string HypercallName(int number) => Enum.IsDefined((HypercallNumber)number)
        ? ToSnakeCase(((HypercallNumber)number).ToString())
        : $"hypercall_{number}";

    private static string ToSnakeCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
