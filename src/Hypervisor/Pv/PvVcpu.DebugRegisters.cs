using ActorVisor.Abi;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// set_debugreg and get_debugreg: the guest's virtual DR0-DR3, DR6 and DR7, kept as Xen keeps them
/// (DR4 and DR5 alias DR6 and DR7). Breakpoint addresses must be guest addresses (-EPERM); DR6 and
/// DR7 take 32-bit values (-EINVAL otherwise) with their fixed bits forced; DR7 refuses I/O
/// breakpoints (-EPERM), which need CR4.DE that a PV guest cannot set. Accepted values go into the
/// CPU's DR0-DR3 and DR7, so the guest's instruction and data breakpoints fire; a #DB is then bounced
/// to the guest's trap table as Xen does, after the hardware DR6 status (B0-B3, BS, BD) is merged into
/// the virtual DR6 (which the guest reads with get_debugreg) and the hardware DR6 reset.
/// </summary>
public sealed partial class PvVcpu
{
    /// <summary>DR6 after reset: the reserved bits that read as one.</summary>
    public const ulong Dr6Default = 0xFFFF_0FF0;

    /// <summary>DR7 after reset: bit 10 reads as one.</summary>
    public const ulong Dr7Default = 0x400;

    private const ulong Dr6Writable = 0xE00F;
    private const ulong Dr7Reserved = 0xFFFF_FFFF_0000_D800;

    private readonly ulong[] _debugAddresses = new ulong[4];
    private ulong _dr6 = Dr6Default;
    private ulong _dr7 = Dr7Default;

    private long SetDebugRegister(int register, ulong value)
    {
        switch (register)
        {
            case >= 0 and <= 3:
                if (!IsGuestAddress(value))
                {
                    return XenErrno.Perm.ToReturnValue();
                }

                _debugAddresses[register] = value;
                Cpu.SetDebugRegister(register, value);
                return 0;
            case 4:
            case 6:
                if (value != (uint)value)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                _dr6 = (value & Dr6Writable) | Dr6Default;
                return 0;
            case 5:
            case 7:
                if (value != (uint)value)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                if (HasIoBreakpoint(value))
                {
                    return XenErrno.Perm.ToReturnValue();
                }

                _dr7 = (value & ~Dr7Reserved) | Dr7Default;
                Cpu.SetDebugRegister(7, _dr7);
                return 0;
            default:
                return XenErrno.Inval.ToReturnValue();
        }
    }

    private long GetDebugRegister(int register) => register switch
    {
        >= 0 and <= 3 => (long)_debugAddresses[register],
        4 or 6 => (long)_dr6,
        5 or 7 => (long)_dr7,
        _ => XenErrno.Inval.ToReturnValue(),
    };

    /// <summary>#DB from the CPU: the status bits it set go into the virtual DR6, the hardware's is reset, and the trap is bounced.</summary>
    private EventDisposition DebugException()
    {
        var hardware = Cpu.GetDebugRegister(6) | Dr6Default;
        _dr6 |= hardware & ~Dr6Default;
        _dr6 &= hardware | ~Dr6Default;
        Cpu.SetDebugRegister(6, 0);
        return Reflect(ExceptionVector.Debug, null);
    }

    /// <summary>True when an enabled breakpoint in DR7 has R/W bits 10 (an I/O breakpoint).</summary>
    private static bool HasIoBreakpoint(ulong dr7)
    {
        for (int i = 0; i < 4; i++)
        {
            bool enabled = ((dr7 >> (i * 2)) & 3) != 0;
            if (enabled && ((dr7 >> (16 + (i * 4))) & 3) == 2)
            {
                return true;
            }
        }

        return false;
    }

    private bool IsGuestAddress(ulong va) => _domain.Width == GuestWidth.Bits64
        ? HypervisorLayout.IsCanonical(va) && !HypervisorLayout.IsHypervisorAddress64(va)
        : va < HypervisorLayout.CompatVirtStart32;
}
