using ActorVisor.Abi;
using ActorVisor.Cpu;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// One vCPU of a PV domain: a software CPU plus the PV state Xen keeps per vCPU (virtual IDT,
/// callbacks, kernel stack, kernel/user mode, timers). It is the CPU's sink, so hypercalls, traps
/// and privileged instructions are handled synchronously on the thread that runs the slice.
///
/// Invariants:
/// - A 64-bit guest kernel really runs at CPL 3; <see cref="InKernelMode"/> is the software flag
///   Xen keeps, the root table loaded in CR3 is always the one that flag selects, and the CPU pages
///   as a supervisor exactly while it is set (so kernel code reaches pages without U/S, where Xen
///   instead sets U/S on every entry).
/// - Real RFLAGS.IF is always 1; the guest's virtual interrupt flag is vcpu_info.evtchn_upcall_mask.
/// - Anything the guest does is answered inside the guest (a result, a bounced trap) or ends the
///   slice with <see cref="SliceOutcome.Crashed"/>; nothing a guest does throws.
/// </summary>
public sealed partial class PvVcpu : ICpuSink
{
    private const ulong Cr0ProtectedPagingWp = 0x8005_0033;
    private const ulong Cr4Pae = 1ul << 5;
    private const ulong Cr4OsFxsr = 1ul << 9;
    private const ulong Cr4OsXmmExcpt = 1ul << 10;
    private const ulong EferSce = 1ul << 0;
    private const ulong EferLme = 1ul << 8;
    private const ulong EferNxe = 1ul << 11;
    private const ulong FlagIf = 1ul << 9;

    private readonly PvDomain _domain;
    private readonly PvVcpuMmu _mmu;
    private readonly GuestMemory _guest;
    private readonly TlbFlushRequests _flush = new();
    private readonly XenGdtArea? _gdt;
    private SliceResult? _stopWith;
    private bool _online;
    private bool _blocked;
    private bool _siblingFlushPending;
    private long _clockAccountedRetired;

    public PvVcpu(PvDomain domain, int id, InitialVcpuState? initial, PvVcpuMmu mmu)
    {
        _domain = domain;
        Id = id;
        _mmu = mmu;
        Cpu = new X86Cpu(new MachinePhysicalMemory(domain.Machine), this, line => domain.Host.Logged(domain.Id, $"vcpu{id}: {line}"));
        _guest = new GuestMemory(domain.Machine, domain.Width, () => _mmu.CurrentRootMfn, Cpu.InvalidateCodeFrame);
        _gdt = XenGdtArea.TryCreate(domain.Machine, domain.Width);
        _periodicNs = domain.Options.PeriodicTimerNs;
        if (initial is not null)
        {
            LoadInitialState(initial);
            _online = true;
            _initialised = true;
        }
    }

    /// <summary>The vCPU number within its domain.</summary>
    public int Id { get; }

    /// <summary>The software CPU this vCPU runs on.</summary>
    public X86Cpu Cpu { get; }

    public PvDomain Domain => _domain;

    /// <summary>64-bit: true while guest kernel code runs (Xen's TF_kernel_mode); 32-bit guests are in kernel mode when CS RPL is 1.</summary>
    public bool InKernelMode => _domain.Width == GuestWidth.Bits64 ? _mmu.InKernelMode : (Cpu.GetSegment(1).Selector & 3) != 3;

    /// <summary>True while the vCPU waits in SCHEDOP_block or SCHEDOP_poll.</summary>
    public bool IsBlocked => _blocked;

    public bool IsOnline => _online;

    /// <summary>The page-table bases of this vCPU.</summary>
    public PvVcpuMmu Mmu => _mmu;

    /// <summary>Hypercall-argument access to guest memory through this vCPU's current page tables.</summary>
    public GuestMemory GuestMemory => _guest;

    /// <summary>
    /// Runs the vCPU for at most <paramref name="budget"/> instructions. Pending events are delivered
    /// first; a blocked vCPU whose wake-up condition does not hold returns <see cref="SliceOutcome.Blocked"/>
    /// at once without running.
    /// </summary>
    public SliceResult RunSlice(long budget)
    {
        if (_domain.ShutdownReason is { } already)
        {
            return Finished(0, already);
        }

        if (!_online)
        {
            return new SliceResult(SliceOutcome.Offline, 0);
        }

        if (_siblingFlushPending)
        {
            // Another vCPU of this domain asked for a TLB flush on every vCPU while this one was not running.
            Cpu.FlushTlb(includeGlobal: true);
            _siblingFlushPending = false;
        }

        FireDueTimers();
        if (_blocked && !TryWake())
        {
            return new SliceResult(SliceOutcome.Blocked, 0);
        }

        UpdateTimeInfo();
        _stopWith = null;
        DeliverEventIfDeliverable();
        if (_stopWith is { } early)
        {
            return early;
        }

        var run = Cpu.Run(budget);
        SyncClock();
        FireDueTimers();
        if (_stopWith is { } stop)
        {
            return stop with { Retired = run.Retired };
        }

        return run.Reason switch
        {
            StopReason.BudgetExhausted or StopReason.StopRequested => new SliceResult(SliceOutcome.BudgetSpent, run.Retired),
            StopReason.Shutdown => CrashSlice(run.Retired, $"triple fault at rip {Cpu.Rip:x}: vector {run.LastEvent.Vector} could not be delivered"),
            StopReason.MissingFrame => CrashSlice(run.Retired, $"access to missing machine address {run.Address:x} at rip {Cpu.Rip:x}"),
            StopReason.Halted => CrashSlice(run.Retired, $"the CPU halted at rip {Cpu.Rip:x}"),
            _ => CrashSlice(run.Retired, $"the CPU stopped unexpectedly ({run.Reason}) at rip {Cpu.Rip:x}"),
        };
    }

    /// <summary>The earliest virtual time at which a timer of this vCPU fires, or null when none is armed.</summary>
    public long? NextTimerDeadlineNs
    {
        get
        {
            long? next = _singleshotDeadlineNs > 0 ? _singleshotDeadlineNs : null;
            if (_periodicNs > 0 && _domain.Events.IsVirqBound(Virq.Timer, Id))
            {
                next = next is { } n ? Math.Min(n, _periodicNextNs) : _periodicNextNs;
            }

            if (_blocked && _pollTimeoutNs > 0)
            {
                next = next is { } m ? Math.Min(m, _pollTimeoutNs) : _pollTimeoutNs;
            }

            return next;
        }
    }

    private void LoadInitialState(InitialVcpuState s)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        Cpu.SetControlRegister(4, Cr4Pae | Cr4OsFxsr | Cr4OsXmmExcpt);
        Cpu.SetEfer(is64 ? EferSce | EferLme | EferNxe : EferNxe);
        Cpu.SetControlRegister(3, _mmu.KernelRootMfn << PageGeometry.PageShift);
        Cpu.SetControlRegister(0, Cr0ProtectedPagingWp);
        if (_gdt is not null)
        {
            _gdt.InstallInto(_mmu.KernelRootMfn);
            Cpu.SetGdtr(new TableRegister(_gdt.Base, XenGdtArea.Limit));
        }

        if (is64)
        {
            Cpu.SetSegment(SegCs, SegmentState.Code64(s.Cs, 3));
            Cpu.SetSegment(SegSs, SegmentState.Data(s.Ss, 3));
            for (int i = 0; i < 6; i++)
            {
                if (i != SegCs && i != SegSs)
                {
                    Cpu.SetSegment(i, SegmentState.Data(s.DataSelector, 3));
                }
            }
        }
        else
        {
            Cpu.SetSegment(SegCs, SegmentState.Code32(s.Cs, 1));
            for (int i = 0; i < 6; i++)
            {
                if (i != SegCs)
                {
                    Cpu.SetSegment(i, SegmentState.Data(s.DataSelector, 1));
                }
            }
        }

        Cpu.Rip = s.Rip;
        Cpu.SetGpr(RegRsp, s.Rsp);
        Cpu.SetGpr(RegRsi, s.Rsi);
        Cpu.Rflags = s.Rflags | 2;
        _kernelSs = s.KernelSs;
        _kernelSp = s.KernelSp;
        _mmu.InKernelMode = true;
        Cpu.PagingAsSupervisor = is64;
    }

    /// <summary>
    /// Brings the domain's clock up to the instructions this vCPU retired so far, those of a slice
    /// still running included, so that hypercalls and RDTSC inside a slice see time move.
    /// </summary>
    private void SyncClock()
    {
        long retired = Cpu.RetiredInstructionsSoFar;
        _domain.Clock.AddInstructions(retired - _clockAccountedRetired);
        _clockAccountedRetired = retired;
    }

    /// <summary>Loads CR3 with the root the current mode selects (after a mode switch or a new base pointer).</summary>
    private void LoadCr3()
    {
        _gdt?.InstallInto(_mmu.CurrentRootMfn);
        Cpu.SetControlRegister(3, _mmu.CurrentRootMfn << PageGeometry.PageShift);
    }

    /// <summary>Carries out the TLB maintenance a page-table operation asked for.</summary>
    private void ApplyFlushes()
    {
        if (_flush.IsEmpty)
        {
            return;
        }

        if (_flush.FlushAllVcpus || _flush.AllVcpuPages.Count > 0)
        {
            foreach (var sibling in _domain.Vcpus)
            {
                sibling._siblingFlushPending |= !ReferenceEquals(sibling, this);
            }
        }

        if (_flush.FlushLocal || _flush.FlushAllVcpus)
        {
            Cpu.FlushTlb(includeGlobal: true);
        }
        else
        {
            foreach (var va in _flush.LocalPages)
            {
                Cpu.FlushTlbPage(va);
            }

            foreach (var va in _flush.AllVcpuPages)
            {
                Cpu.FlushTlbPage(va);
            }
        }

        _flush.Clear();
    }

    private SliceResult Finished(long retired, ShutdownReason reason) => _domain.CrashDetail is { } detail
        ? new SliceResult(SliceOutcome.Crashed, retired, reason, detail)
        : new SliceResult(SliceOutcome.ShutDown, retired, reason);

    private SliceResult CrashSlice(long retired, string detail)
    {
        _domain.Crash(detail);
        return new SliceResult(SliceOutcome.Crashed, retired, ShutdownReason.Crash, _domain.CrashDetail ?? detail);
    }

    /// <summary>Crashes the domain from inside a CPU event and asks the CPU to stop.</summary>
    private EventDisposition CrashFromEvent(string detail)
    {
        _domain.Crash(detail);
        _stopWith = new SliceResult(SliceOutcome.Crashed, 0, ShutdownReason.Crash, _domain.CrashDetail ?? detail);
        return EventDisposition.Stop;
    }

    private const int RegRax = 0;
    private const int RegRcx = 1;
    private const int RegRdx = 2;
    private const int RegRbx = 3;
    private const int RegRsp = 4;
    private const int RegRsi = 6;
    private const int RegRdi = 7;
    private const int RegR8 = 8;
    private const int RegR10 = 10;
    private const int RegR11 = 11;
    private const int SegEs = 0;
    private const int SegCs = 1;
    private const int SegSs = 2;
    private const int SegDs = 3;
    private const int SegFs = 4;
    private const int SegGs = 5;
}
