using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>
/// The hypercall entry point, called on the vCPU's own thread when the guest executes SYSCALL
/// (64-bit, guest kernel mode) or int 0x82 (32-bit, ring 1). Arguments are the five argument
/// registers in ABI order (64-bit: rdi, rsi, rdx, r10, r8; 32-bit: ebx, ecx, edx, esi, edi,
/// zero-extended); the result goes to rax/eax. Guest errors are negative errno values; the
/// vCPU's <see cref="PvVcpu.Request"/> and <see cref="PvVcpu.Flush"/> tell the caller what to do
/// before resuming. iret (23) changes registers and is carried out by the CPU integration.
/// </summary>
public static partial class Hypercalls
{
    public static long Dispatch(PvVcpu vcpu, ulong number, ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
    {
        vcpu.Request = SchedulingRequest.None;
        var domain = vcpu.Domain;
        if (domain.Shutdown is not null)
        {
            vcpu.Request = SchedulingRequest.Stop;
            return XenErrno.Inval.ToReturnValue();
        }

        bool is32 = domain.Width == GuestWidth.Bits32Pae;
        long result = (HypercallNumber)number switch
        {
            HypercallNumber.SetTrapTable => SetTrapTable(vcpu, a1),
            HypercallNumber.MmuUpdate => MmuUpdate(vcpu, a1, (uint)a2, a3, (uint)a4),
            HypercallNumber.SetGdt => SetGdt(vcpu, a1, (uint)a2),
            HypercallNumber.StackSwitch => StackSwitch(vcpu, a1, a2),
            HypercallNumber.SetCallbacks => SetCallbacks(vcpu, a1, a2, a3, a4),
            HypercallNumber.FpuTaskswitch => FpuTaskswitch(vcpu, a1),
            HypercallNumber.UpdateDescriptor => is32 ? UpdateDescriptor(vcpu, a1 | (a2 << 32), a3 | (a4 << 32)) : UpdateDescriptor(vcpu, a1, a2),
            HypercallNumber.MemoryOp => MemoryOp(vcpu, a1, a2),
            HypercallNumber.Multicall => Multicall(vcpu, a1, a2),
            HypercallNumber.UpdateVaMapping => is32 ? UpdateVaMapping(vcpu, a1, a2 | (a3 << 32), a4, DomId.Self) : UpdateVaMapping(vcpu, a1, a2, a3, DomId.Self),
            HypercallNumber.SetTimerOp => SetTimerOp(vcpu, is32 ? a1 | (a2 << 32) : a1),
            HypercallNumber.XenVersion => XenVersion(vcpu, (int)a1, a2),
            HypercallNumber.ConsoleIo => ConsoleIo(vcpu, (int)a1, (uint)a2, a3),
            HypercallNumber.GrantTableOp => GrantTableOp(vcpu, (uint)a1, a2, (uint)a3),
            HypercallNumber.VmAssist => VmAssist(vcpu, (uint)a1, (uint)a2),
            HypercallNumber.UpdateVaMappingOtherdomain => is32
                ? UpdateVaMapping(vcpu, a1, a2 | (a3 << 32), a4, new DomId((ushort)a5))
                : UpdateVaMapping(vcpu, a1, a2, a3, new DomId((ushort)a4)),
            HypercallNumber.VcpuOp => VcpuOp(vcpu, (int)a1, (uint)a2, a3),
            HypercallNumber.SetSegmentBase => SetSegmentBase(vcpu, (uint)a1, a2),
            HypercallNumber.MmuextOp => MmuextOp(vcpu, a1, (uint)a2, a3, (uint)a4),
            HypercallNumber.SchedOp => SchedOp(vcpu, (int)a1, a2),
            HypercallNumber.CallbackOp => CallbackOp(vcpu, (int)a1, a2),
            HypercallNumber.EventChannelOp => EventChannelOp(vcpu, (int)a1, a2),
            HypercallNumber.PhysdevOp => PhysdevOp(vcpu, (int)a1, a2),
            _ => Unknown(domain, number),
        };
        if (domain.Shutdown is not null)
        {
            vcpu.Request = SchedulingRequest.Stop;
        }

        return result;
    }

    private static long Unknown(PvDomain domain, ulong number)
    {
        domain.CountUnknown(number);
        return XenErrno.NoSys.ToReturnValue();
    }

    private static long Ok => 0;

    private static long Fault => XenErrno.Fault.ToReturnValue();

    private static long Error(XenErrno errno) => errno.ToReturnValue();

    /// <summary>Raises the RPL of a guest-supplied selector to the guest kernel's ring.</summary>
    private static ushort FixRpl(PvDomain domain, ulong selector)
    {
        var s = (ushort)selector;
        if (domain.Width == GuestWidth.Bits64)
        {
            return (ushort)(s | 3);
        }

        return (s & 3) == 0 ? (ushort)(s | 1) : s;
    }
}
