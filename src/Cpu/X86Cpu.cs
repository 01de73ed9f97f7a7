using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorVisor.Cpu;

/// <summary>
/// A software x86 CPU: long mode (64-bit and compatibility), 32-bit protected mode with PAE paging, CPL 0-3.
/// It runs decoded blocks from a cache keyed by (virtual RIP, physical address, mode) and offers every
/// event a hypervisor may intercept to an <see cref="ICpuSink"/>.
///
/// Invariants:
/// - Between instructions, RIP and every register hold architectural values; the arithmetic flags may be
///   held lazily (<c>_flagKind</c> != None), in which case <see cref="Rflags"/> computes them on read.
/// - A handler returns false only when it set RIP itself (a control transfer, counted as retired) or
///   when it raised an exception (<c>_faultPending</c>; RIP is rewound to the faulting instruction and the
///   instruction does not retire). Side effects of a faulting instruction are never visible.
/// - A TLB entry grants write access only to a frame that holds no decoded code, so every write into a
///   code frame takes the slow path, which invalidates the frame's blocks before the write lands.
/// - The CPU never throws for anything a guest does; guest errors are exceptions delivered to the sink.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private readonly IPhysicalMemory _memory;
    private readonly ICpuSink _sink;
    private readonly Action<string>? _log;

    private readonly ulong[] _gprStore = GC.AllocateArray<ulong>(24, pinned: true);
    private readonly ulong* _g;
    private readonly ulong[] _xmmStore = GC.AllocateArray<ulong>(34, pinned: true);
    private readonly ulong* _xmm;
    private readonly ulong[] _segBaseStore = GC.AllocateArray<ulong>(8, pinned: true);
    private readonly ulong* _segBase;
    private readonly SegmentState[] _segments = new SegmentState[6];

    private ulong _rip;
    private ulong _rflags = 2;
    private int _cpl;
    private CpuMode _mode = CpuMode.Real;
    private int _modeKey;
    private ulong _linearMask = 0xFFFFFFFF;

    private SegmentState _ldtr;
    private SegmentState _tr;
    private TableRegister _gdtr;
    private TableRegister _idtr;
    private ulong _cr0 = 0x60000010;
    private ulong _cr2;
    private ulong _cr3;
    private ulong _cr4;
    private ulong _cr8;
    private ulong _efer;
    private readonly ulong[] _dr = new ulong[8];
    private ulong _kernelGsBase;
    private ulong _star;
    private ulong _lstar;
    private ulong _cstar;
    private ulong _sfmask;
    private ulong _sysenterCs;
    private ulong _sysenterEsp;
    private ulong _sysenterEip;
    private ulong _tscOffset;
    private ulong _tscAux;
    private uint _mxcsr = 0x1F80;
    private bool _halted;
    private bool _pagingAsSupervisor;

    private bool _faultPending;
    private CpuEvent _pendingEvent;
    private bool _opRetired = true;
    private StopReason? _stop;
    private CpuEvent _lastEvent;
    private ulong _stopAddress;
    private volatile bool _stopRequested;
    private int _pendingInterrupt = -1;
    private long _retiredTotal;
    private long _retiredThisRun;
    private int _deliveryDepth;

    /// <summary>Creates a CPU in the reset-like state: protected mode off, paging off, every register zero.</summary>
    /// <param name="memory">Machine memory, reached through host pointers to frames.</param>
    /// <param name="sink">The hypervisor's side: events, CPUID, TSC, MSRs and ports.</param>
    /// <param name="log">Receives one line per noteworthy guest event, such as an unimplemented instruction.</param>
    public X86Cpu(IPhysicalMemory memory, ICpuSink sink, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(sink);
        _memory = memory;
        _sink = sink;
        _log = log;
        _g = (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_gprStore));
        _xmm = (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_xmmStore));
        _segBase = (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_segBaseStore));
        _tlb = GC.AllocateArray<TlbEntry>(TlbSize, pinned: true);
        _tlbBase = (TlbEntry*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tlb));
        _scratch = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_scratchStore));
        for (var i = 0; i < 6; i++)
        {
            _segments[i] = new SegmentState(0, 0, 0xFFFF, 0x93);
        }
        _segments[1] = new SegmentState(0, 0, 0xFFFF, 0x9B);
        FlushTlb(includeGlobal: true);
        UpdateMode();
    }

    /// <summary>Total instructions retired since construction (or since the last restore of this CPU).</summary>
    public long RetiredInstructions => _retiredTotal;

    /// <summary>
    /// Instructions retired so far including the run in progress: read from a sink call inside
    /// <see cref="Run"/>, it counts up to the start of the block now running (outside a run it
    /// equals <see cref="RetiredInstructions"/>).
    /// </summary>
    public long RetiredInstructionsSoFar => _retiredTotal + _retiredThisRun;

    /// <summary>The current privilege level.</summary>
    public int Cpl => _cpl;

    /// <summary>The current execution mode.</summary>
    public CpuMode Mode => _mode;

    public ulong Rip
    {
        get => _rip;
        set => _rip = value;
    }

    /// <summary>RFLAGS with the arithmetic flags computed from the lazy state.</summary>
    public ulong Rflags
    {
        get => MaterializeFlags();
        set => SetRflagsRaw(value);
    }

    public ulong Cr0 => _cr0;

    public ulong Cr2
    {
        get => _cr2;
        set => _cr2 = value;
    }

    public ulong Cr3 => _cr3;

    public ulong Cr4 => _cr4;

    public ulong Efer => _efer;

    /// <summary>True after a native HLT until an interrupt arrives; the host may clear it to resume the CPU.</summary>
    public bool Halted
    {
        get => _halted;
        set => _halted = value;
    }

    /// <summary>Reads general register 0-15 (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15).</summary>
    public ulong GetGpr(int index) => _gprStore[index];

    /// <summary>Writes general register 0-15 as a whole 64-bit value.</summary>
    public void SetGpr(int index, ulong value) => _gprStore[index] = value;

    /// <summary>Reads XMM register 0-15 as two 64-bit halves.</summary>
    public (ulong Low, ulong High) GetXmm128(int index) => (_xmmStore[2 * index], _xmmStore[(2 * index) + 1]);

    /// <summary>Writes XMM register 0-15 from two 64-bit halves.</summary>
    public void SetXmm128(int index, ulong low, ulong high)
    {
        _xmmStore[2 * index] = low;
        _xmmStore[(2 * index) + 1] = high;
    }

    /// <summary>Reads a segment register by encoding index (ES, CS, SS, DS, FS, GS).</summary>
    public SegmentState GetSegment(int index) => _segments[index];

    /// <summary>Loads a segment register's visible and hidden parts directly, as a hypervisor or loader does.</summary>
    public void SetSegment(int index, SegmentState segment)
    {
        _segments[index] = segment;
        UpdateMode();
    }

    /// <summary>Writes a control register with the architectural side effects (TLB flushes, mode change), without privilege checks.</summary>
    public void SetControlRegister(int index, ulong value) => WriteCr(index, value);

    /// <summary>Writes EFER (LMA follows LME and CR0.PG as on hardware).</summary>
    public void SetEfer(ulong value)
    {
        _efer = value;
        UpdateMode();
        FlushTlb(includeGlobal: true);
    }

    /// <summary>Sets GDTR.</summary>
    public void SetGdtr(TableRegister gdtr) => _gdtr = gdtr;

    /// <summary>Sets IDTR.</summary>
    public void SetIdtr(TableRegister idtr) => _idtr = idtr;

    /// <summary>Sets TR (the task register) directly.</summary>
    public void SetTr(SegmentState tr) => _tr = tr;

    /// <summary>Sets the FS base (MSR_FS_BASE).</summary>
    public void SetFsBase(ulong value) => SetSegmentBase(4, value);

    /// <summary>Sets the GS base (MSR_GS_BASE).</summary>
    public void SetGsBase(ulong value) => SetSegmentBase(5, value);

    /// <summary>The shadow GS base that SWAPGS exchanges (MSR_KERNEL_GS_BASE).</summary>
    public ulong KernelGsBase
    {
        get => _kernelGsBase;
        set => _kernelGsBase = value;
    }

    /// <summary>
    /// When true, accesses at CPL 3 are checked against the page tables as supervisor accesses (U/S
    /// ignored, CR0.WP applies, the #PF error code has U clear). A 64-bit PV hypervisor sets it while the
    /// vCPU is in guest kernel mode, whose code runs at CPL 3 but must reach pages without U/S.
    /// </summary>
    public bool PagingAsSupervisor
    {
        get => _pagingAsSupervisor;
        set
        {
            _pagingAsSupervisor = value;
            UpdateMode();
        }
    }

    /// <summary>Asks a running <see cref="Run"/> to return at the next block boundary; safe from another thread.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Raises an external interrupt line with a vector; it is delivered natively at the next block boundary when RFLAGS.IF allows.</summary>
    public void RequestInterrupt(byte vector) => _pendingInterrupt = vector;

    /// <summary>
    /// Runs until <paramref name="budget"/> instructions have retired or an event stops the CPU, and
    /// returns why together with the exact number of instructions retired in this call.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RunResult Run(long budget)
    {
        _stop = null;
        _stopRequested = false;
        _lastEvent = default;
        _stopAddress = 0;
        long retired = 0;
        DecodedBlock? previous = null;
        while (retired < budget)
        {
            if (_pendingInterrupt >= 0 && (_rflags & FlagIf) != 0)
            {
                var vector = (byte)_pendingInterrupt;
                _pendingInterrupt = -1;
                _halted = false;
                DeliverInterrupt(vector, 0, false, InterruptSource.External);
            }
            if (_halted)
            {
                _stop = StopReason.Halted;
                break;
            }
            var block = NextBlock(previous);
            previous = block;
            if (block is null)
            {
                if (_faultPending)
                {
                    _faultPending = false;
                    DeliverPendingFault();
                }
                if (_stop is not null || _stopRequested)
                {
                    break;
                }
                continue;
            }
            var count = block.Count;
            if (count > budget - retired)
            {
                count = (int)(budget - retired);
            }
            if (_codeLimited)
            {
                count = InstructionsWithinCodeLimit(block.First, count);
                if (count == 0)
                {
                    RaiseGp();
                    _faultPending = false;
                    DeliverPendingFault();
                    if (_stop is not null || _stopRequested)
                    {
                        break;
                    }
                    continue;
                }
            }
            var singleStep = (_rflags & FlagTf) != 0;
            var resumeFlag = false;
            if (singleStep || _debugArmed)
            {
                count = 1;
                resumeFlag = (_rflags & FlagRf) != 0;
                if (_debugArmed && InstructionBreakpoint())
                {
                    if (_stop is not null || _stopRequested)
                    {
                        break;
                    }
                    continue;
                }
            }
            var retiredBefore = retired;
            _retiredThisRun = retired;
            var first = block.First;
            _currentOps = first;
            var end = first + count;
            var op = first;
            while (true)
            {
                if (!op->Handler(this, op))
                {
                    retired += op - first;
                    if (_faultPending)
                    {
                        _faultPending = false;
                        _rip = op->Rip;
                        if (_nonCanonicalFault)
                        {
                            ClassifyNonCanonical(op);
                        }
                        DeliverPendingFault();
                    }
                    else if (_opRetired)
                    {
                        retired++;
                    }
                    else
                    {
                        _rip = op->Rip;
                        _opRetired = true;
                    }
                    break;
                }
                op++;
                if (op == end)
                {
                    _rip = op[-1].NextRip;
                    retired += count;
                    break;
                }
            }
            if (retired > retiredBefore && (singleStep || _debugArmed))
            {
                if (resumeFlag)
                {
                    _rflags &= ~FlagRf;
                }
                DebugTrapAfter(singleStep);
            }
            else
            {
                _dataBreakpointHits = 0;
            }
            if (_stop is not null || _stopRequested)
            {
                break;
            }
        }
        _currentOps = null;
        _retiredTotal += retired;
        _retiredThisRun = 0;
        var reason = _stop ?? (_stopRequested ? StopReason.StopRequested : StopReason.BudgetExhausted);
        return new RunResult(reason, retired, _lastEvent, _stopAddress);
    }

    private void SetSegmentBase(int index, ulong value)
    {
        _segments[index] = _segments[index] with { Base = value };
        UpdateSegmentBases();
    }

    /// <summary>Recomputes the mode, CPL, decoder key and effective segment bases after CR0, EFER or CS changed.</summary>
    private void UpdateMode()
    {
        if ((_cr0 & Cr0Pg) != 0 && (_efer & EferLme) != 0)
        {
            _efer |= EferLma;
        }
        else
        {
            _efer &= ~EferLma;
        }
        var cs = _segments[1];
        if ((_cr0 & Cr0Pe) == 0)
        {
            _mode = CpuMode.Real;
            _cpl = 0;
        }
        else if ((_efer & EferLma) != 0 && cs.LongMode)
        {
            _mode = CpuMode.Long64;
            _cpl = cs.Selector & 3;
        }
        else
        {
            _mode = (_efer & EferLma) != 0 ? CpuMode.Compatibility : cs.DefaultBig ? CpuMode.Protected32 : CpuMode.Protected16;
            _cpl = cs.Selector & 3;
        }
        _modeKey = (int)_mode;
        _linearMask = _mode == CpuMode.Long64 ? ulong.MaxValue : 0xFFFFFFFF;
        _tlbKey = _cpl == 3 && !_pagingAsSupervisor ? 1UL : 0UL;
        _chainEpoch++;
        UpdateSegmentBases();
    }

    private void UpdateSegmentBases()
    {
        for (var i = 0; i < 6; i++)
        {
            _segBase[i] = _mode == CpuMode.Long64 && i < 4 ? 0 : _segments[i].Base;
        }
        _segBase[6] = 0;
        _segBase[7] = 0;
        UpdateSegmentLimits();
    }

    private void Log(string line) => _log?.Invoke(line);
}
