namespace ActorVisor.Hypervisor.Pv;

/// <summary>The PV state Xen keeps per vCPU besides the registers.</summary>
public sealed partial class PvVcpu
{
    /// <summary>The virtual IDT from set_trap_table: 256 entries, address 0 = no handler.</summary>
    private readonly TrapEntry[] _trapTable = new TrapEntry[256];

    /// <summary>Kernel stack for bounces taken in user mode (stack_switch).</summary>
    private ushort _kernelSs;
    private ulong _kernelSp;

    private Callback _eventCallback;
    private Callback _failsafeCallback;
    private Callback _syscallCallback;
    private Callback _nmiCallback;

    /// <summary>64-bit: the GS base of the mode that is not running (the running one is in the CPU).</summary>
    private ulong _gsBaseKernel;
    private ulong _gsBaseUser;

    /// <summary>The guest's virtual CR2 (read with an emulated mov from cr2).</summary>
    private ulong _virtualCr2;

    /// <summary>The guest's virtual CR0.TS (fpu_taskswitch, clts, mov to cr0).</summary>
    private bool _virtualTs;

    /// <summary>The guest's virtual IOPL (PHYSDEVOP_set_iopl).</summary>
    private uint _virtualIopl;

    private long _singleshotDeadlineNs;
    private long _periodicNs;
    private long _periodicNextNs;

    /// <summary>SCHEDOP_poll: the ports waited on (null when blocked without poll) and the absolute timeout (0 = none).</summary>
    private uint[]? _pollPorts;
    private long _pollTimeoutNs;

    /// <summary>VCPUOP_register_runstate_memory_area: guest VA of the runstate area, 0 for none.</summary>
    private ulong _runstateAreaVa;

    /// <summary>A virtual IDT entry: flags (bits 0-1 DPL for INT n, bit 2 mask events), code selector and handler address.</summary>
    private readonly record struct TrapEntry(byte Flags, ushort Cs, ulong Address)
    {
        public int Dpl => Flags & 3;

        public bool MasksEvents => (Flags & 4) != 0;
    }

    /// <summary>A registered callback: selector (32-bit guests), address, and whether entry masks events.</summary>
    private readonly record struct Callback(ushort Cs, ulong Address, bool MasksEvents)
    {
        public bool IsSet => Address != 0;
    }
}
