using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// The instructions Xen admits by the guest's virtual IOPL (PHYSDEVOP_set_iopl). The real IOPL is
/// 0, so IN, OUT, CLI and STI always fault; Xen lets them through when the virtual IOPL admits the
/// guest's virtual ring (1 for the kernel, 3 for user mode), and #GP(0) otherwise. This domain owns
/// no I/O ports, so an admitted read returns all ones and an admitted write is dropped. An admitted
/// CLI or STI does nothing, as in Xen: the event mask is the guest's to set in its vCPU info, and
/// a later POPF could not restore it.
/// </summary>
public sealed partial class PvVcpu
{
    /// <summary>True when the virtual IOPL admits IOPL-checked instructions from the guest's current virtual ring.</summary>
    private bool IoplAllows => _virtualIopl >= (InKernelMode ? 1u : 3u);

    private static bool IsIoplOperation(PrivilegedOperation operation) =>
        operation is PrivilegedOperation.In or PrivilegedOperation.Out or PrivilegedOperation.Cli or PrivilegedOperation.Sti;

    private EventDisposition EmulateIoplOperation(in CpuEvent e)
    {
        if (!IoplAllows)
        {
            return Reflect(ExceptionVector.GeneralProtection, 0);
        }

        if (e.Operation == PrivilegedOperation.In)
        {
            ulong rax = Cpu.GetGpr(RegRax);
            ulong value = e.OperandSizeBytes switch
            {
                1 => rax | 0xFF,
                2 => rax | 0xFFFF,
                _ => 0xFFFF_FFFF,
            };
            Cpu.SetGpr(RegRax, value);
        }

        Cpu.Rip += (ulong)e.InstructionLength;
        return EventDisposition.Handled;
    }
}
