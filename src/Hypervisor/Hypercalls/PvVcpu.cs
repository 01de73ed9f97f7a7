using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>One entry of the guest's virtual IDT (set_trap_table).</summary>
public readonly record struct TrapEntry(byte Vector, byte Flags, ushort CodeSelector, ulong Address)
{
    /// <summary>Flag bit 2: mask events on entry, like an interrupt gate.</summary>
    public bool MasksEvents => (Flags & 4) != 0;

    /// <summary>The least privileged guest ring allowed to raise this vector with INT n.</summary>
    public int Dpl => Flags & 3;
}

/// <summary>A registered callback: where to enter (cs only for 32-bit guests) and whether events are masked on entry.</summary>
public readonly record struct CallbackEntry(ushort CodeSelector, ulong Address, bool MasksEvents);

/// <summary>What the vCPU's thread must do after a hypercall returns.</summary>
public enum SchedulingRequest
{
    /// <summary>Resume the guest.</summary>
    None,

    /// <summary>SCHEDOP_yield: give up the physical CPU, then resume.</summary>
    Yield,

    /// <summary>SCHEDOP_block: sleep until an event is deliverable (events were unmasked).</summary>
    Block,

    /// <summary>SCHEDOP_poll: sleep until a polled port is pending, an event is deliverable, or the timeout.</summary>
    Poll,

    /// <summary>The domain shut down (see <see cref="PvDomain.Shutdown"/>); stop running it.</summary>
    Stop,
}

/// <summary>
/// The hypervisor-side state of one PV vCPU that hypercalls read and change: page-table bases,
/// virtual IDT, callbacks, kernel stack, segment bases, timers, and the request for the
/// scheduler after the current hypercall. Register state lives in the CPU.
/// </summary>
public sealed class PvVcpu
{
    /// <summary>Default period of the PV periodic timer: 10 ms.</summary>
    public const ulong DefaultPeriodNs = 10_000_000;

    public PvVcpu(PvDomain domain, int id, PvVcpuMmu mmu)
    {
        Domain = domain;
        Id = id;
        Mmu = mmu;
        Memory = new GuestVirtualMemory(domain.Machine.Memory, domain.Width, mmu);
    }

    public PvDomain Domain { get; }

    public int Id { get; }

    public PvVcpuMmu Mmu { get; }

    /// <summary>Guest virtual memory as this vCPU sees it now.</summary>
    public GuestVirtualMemory Memory { get; }

    /// <summary>TLB maintenance the CPU must carry out before resuming the guest; clear it afterwards.</summary>
    public TlbFlushRequests Flush { get; } = new();

    public bool IsUp { get; set; } = true;

    /// <summary>The virtual IDT: one entry per vector, Address 0 = no handler.</summary>
    public TrapEntry[] TrapTable { get; } = new TrapEntry[256];

    /// <summary>The frames of the guest's GDT (set_gdt), each holding a SegDesc type reference.</summary>
    public IReadOnlyList<ulong> GdtFrames { get; set; } = [];

    public uint GdtEntries { get; set; }

    public CallbackEntry EventCallback { get; set; }

    public CallbackEntry FailsafeCallback { get; set; }

    public CallbackEntry SyscallCallback { get; set; }

    public CallbackEntry Syscall32Callback { get; set; }

    public CallbackEntry SysenterCallback { get; set; }

    /// <summary>Kernel stack used on user-to-kernel transitions (stack_switch).</summary>
    public ulong KernelSs { get; set; }

    public ulong KernelSp { get; set; }

    public ulong FsBase { get; set; }

    public ulong GsBaseKernel { get; set; }

    public ulong GsBaseUser { get; set; }

    /// <summary>The user %gs selector the guest asked to load (SEGBASE_GS_USER_SEL); the CPU applies it.</summary>
    public ushort? GsUserSelector { get; set; }

    /// <summary>The guest's virtual CR0.TS (fpu_taskswitch): FPU use raises #NM to the guest.</summary>
    public bool VirtualCr0Ts { get; set; }

    /// <summary>The guest's virtual I/O privilege level (PHYSDEVOP_set_iopl).</summary>
    public uint Iopl { get; set; }

    /// <summary>Absolute system time (ns) of the one-shot timer, or 0 when none is set.</summary>
    public ulong SingleShotDeadlineNs { get; set; }

    /// <summary>Period of the periodic timer in ns, or 0 when stopped.</summary>
    public ulong PeriodicPeriodNs { get; set; } = DefaultPeriodNs;

    /// <summary>What the vCPU's thread must do after the hypercall that just returned.</summary>
    public SchedulingRequest Request { get; set; }

    /// <summary>SCHEDOP_poll: the ports polled and the absolute timeout (0 = none).</summary>
    public uint[] PollPorts { get; set; } = [];

    public ulong PollTimeoutNs { get; set; }
}
