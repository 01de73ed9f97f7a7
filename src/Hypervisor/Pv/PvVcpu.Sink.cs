using ActorVisor.Abi;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>The CPU's sink: hypercall entry, traps, privileged instructions, CPUID, TSC and MSRs.</summary>
public sealed partial class PvVcpu
{
    private const byte HypercallVector32 = 0x82;
    private const uint MsrFsBase = 0xC000_0100;
    private const uint MsrGsBase = 0xC000_0101;
    private const uint MsrShadowGsBase = 0xC000_0102;

    public EventDisposition OnEvent(X86Cpu cpu, in CpuEvent cpuEvent)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        switch (cpuEvent.Kind)
        {
            case CpuEventKind.Syscall when is64 && _mmu.InKernelMode:
                return Hypercall(cpuEvent.InstructionLength);
            case CpuEventKind.Syscall when is64:
                return UserSyscall(cpuEvent.InstructionLength);
            case CpuEventKind.Syscall:
            case CpuEventKind.Sysenter:
                return Reflect(ExceptionVector.InvalidOpcode, null);
            case CpuEventKind.SoftwareInterrupt when !is64 && cpuEvent.Vector == HypercallVector32 && Cpu.Cpl == 1:
                return Hypercall(cpuEvent.InstructionLength);
            case CpuEventKind.SoftwareInterrupt:
                return SoftwareInterrupt(cpuEvent.Vector, cpuEvent.InstructionLength);
            case CpuEventKind.Halt:
                return Reflect(ExceptionVector.GeneralProtection, 0);
            default:
                return OnException(cpuEvent);
        }
    }

    public CpuidResult Cpuid(uint leaf, uint subleaf) => PvCpuidPolicy.Answer(leaf, subleaf, _domain.Width);

    public ulong ReadTsc()
    {
        SyncClock();
        return _domain.Clock.Tsc;
    }

    public bool TryReadMsr(uint index, out ulong value)
    {
        value = 0;
        return false;
    }

    public bool TryWriteMsr(uint index, ulong value) => false;

    public uint In(ushort port, int sizeBytes) => uint.MaxValue;

    public void Out(ushort port, int sizeBytes, uint value)
    {
    }

    private EventDisposition OnException(in CpuEvent e)
    {
        switch (e.Vector)
        {
            case ExceptionVector.PageFault:
                return PageFault(e);
            case ExceptionVector.GeneralProtection when IsIoplOperation(e.Operation):
                return EmulateIoplOperation(e);
            case ExceptionVector.GeneralProtection when e.Operation != PrivilegedOperation.None && InKernelMode:
                return EmulatePrivileged(e);
            case ExceptionVector.InvalidOpcode when TryForcedEmulationCpuid():
                return EventDisposition.Handled;
            case ExceptionVector.DeviceNotAvailable:
                return Reflect(e.Vector, null);
            case ExceptionVector.Debug:
                return DebugException();
            default:
                return Reflect(e.Vector, e.HasErrorCode ? e.ErrorCode : null);
        }
    }

    /// <summary>INT n: delivered through the virtual IDT when the entry's DPL admits the caller, else #GP((n &lt;&lt; 3) | 2).</summary>
    private EventDisposition SoftwareInterrupt(byte vector, int length)
    {
        var entry = _trapTable[vector];
        int ring = InKernelMode ? 1 : 3;
        bool alwaysAllowed = vector is ExceptionVector.Breakpoint or ExceptionVector.Overflow;
        if (!alwaysAllowed && (entry.Address == 0 || entry.Dpl < ring))
        {
            return Reflect(ExceptionVector.GeneralProtection, ((uint)vector << 3) | 2);
        }

        Cpu.Rip += (ulong)length;
        return Reflect(vector, null);
    }

    /// <summary>SYSCALL from 64-bit guest user mode goes to the registered syscall callback, or raises #UD without one.</summary>
    private EventDisposition UserSyscall(int length)
    {
        if (!_syscallCallback.IsSet)
        {
            return Reflect(ExceptionVector.InvalidOpcode, null);
        }

        ulong returnRip = Cpu.Rip + (ulong)length;
        Cpu.SetGpr(RegRcx, returnRip);
        Cpu.SetGpr(RegR11, Cpu.Rflags);
        Cpu.Rip = returnRip;
        return Bounce(_syscallCallback.Cs, _syscallCallback.Address, null, _syscallCallback.MasksEvents, failsafe: false)
            ? EventDisposition.Handled
            : CrashFromEvent("the syscall bounce frame could not be written");
    }

    private EventDisposition PageFault(in CpuEvent e)
    {
        ulong cr2 = e.FaultAddress;
        uint error = e.ErrorCode;
        if ((error & (uint)(PageFaultErrorCode.Present | PageFaultErrorCode.Write)) == (uint)(PageFaultErrorCode.Present | PageFaultErrorCode.Write)
            && InKernelMode && _domain.EmulatesPageTableWrites && TryEmulatePageTableWrite(cr2))
        {
            return EventDisposition.Handled;
        }

        if (_domain.Width == GuestWidth.Bits64)
        {
            // The U/S bit reports the guest's virtual mode, not the real CPL 3.
            error = InKernelMode ? error & ~(uint)PageFaultErrorCode.User : error | (uint)PageFaultErrorCode.User;
        }

        _virtualCr2 = cr2;
        _domain.SharedInfo.WriteCr2(Id, cr2);
        return Reflect(ExceptionVector.PageFault, error);
    }

    /// <summary>The forced-emulation prefix ud2; .ascii "xen"; cpuid — always answered from the PV CPUID policy.</summary>
    private bool TryForcedEmulationCpuid()
    {
        Span<byte> bytes = stackalloc byte[7];
        if (!_guest.TryRead(Cpu.Rip, bytes) || !bytes.SequenceEqual((ReadOnlySpan<byte>)[0x0F, 0x0B, 0x78, 0x65, 0x6E, 0x0F, 0xA2]))
        {
            return false;
        }

        var r = Cpuid((uint)Cpu.GetGpr(RegRax), (uint)Cpu.GetGpr(RegRcx));
        Cpu.SetGpr(RegRax, r.Eax);
        Cpu.SetGpr(RegRbx, r.Ebx);
        Cpu.SetGpr(RegRcx, r.Ecx);
        Cpu.SetGpr(RegRdx, r.Edx);
        Cpu.Rip += 7;
        return true;
    }
}

