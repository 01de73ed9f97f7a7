namespace ActorVisor.Cpu;

/// <summary>
/// Debug registers DR0-DR7 and the debug exception (#DB, vector 1). DR0-DR3 hold linear breakpoint
/// addresses, DR7 enables them (L/G bits) with a type (R/W 00 execute, 01 write, 11 read or write; 10,
/// I/O, is not modelled) and a length (1, 2, 8, 4 bytes), DR6 reports what fired (B0-B3, BD, BS).
/// Invariants: <see cref="_debugArmed"/> is true exactly when DR7 enables a breakpoint or has GD set;
/// while it is, blocks run one instruction at a time so instruction breakpoints (faults, suppressed by
/// RFLAGS.RF) are checked before each instruction; TLB entries of pages holding a data breakpoint carry
/// no read or write tag, so every access to them takes the slow path, which records hits; a data hit
/// raises the #DB trap after its instruction completes (RIP at the next one), together with a pending
/// single step. DR4/DR5 alias DR6/DR7 unless CR4.DE is set, in which case they are #UD.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const ulong Dr6Fixed = 0xFFFF0FF0;
    private const ulong Dr7Fixed = 0x400;
    private const ulong Dr6Bs = 1UL << 14;
    private const ulong Dr6Bd = 1UL << 13;
    private const ulong Dr7Gd = 1UL << 13;
    private const ulong Cr4De = 1UL << 3;

    /// <summary>True when DR7 enables a breakpoint or general detection (see the summary's invariant).</summary>
    private bool _debugArmed;

    /// <summary>B0-B3 of data breakpoints hit by the current instruction, delivered as a trap after it.</summary>
    private ulong _dataBreakpointHits;

    /// <summary>Pages (linear, 4 KiB aligned) that hold an enabled data breakpoint.</summary>
    private readonly ulong[] _watchedPages = new ulong[8];
    private int _watchedPageCount;

    /// <summary>Reads DRn (n 0-7; DR4/DR5 read DR6/DR7) as the hypervisor sees it.</summary>
    public ulong GetDebugRegister(int n) => _dr[n is 4 or 5 ? n + 2 : n & 7];

    /// <summary>Writes DRn as MOV DR does (DR6/DR7 with their fixed bits), re-arming breakpoints.</summary>
    public void SetDebugRegister(int n, ulong value)
    {
        n = n is 4 or 5 ? n + 2 : n & 7;
        _dr[n] = n switch
        {
            6 => (value & 0xE00F) | Dr6Fixed,
            7 => (value & 0xFFFF2BFF) | Dr7Fixed,
            _ => value,
        };
        ArmDebug();
    }

    private void ArmDebug()
    {
        var dr7 = _dr[7];
        _debugArmed = (dr7 & 0xFF) != 0 || (dr7 & Dr7Gd) != 0;
        _watchedPageCount = 0;
        for (var i = 0; i < 4; i++)
        {
            if (((dr7 >> (2 * i)) & 3) == 0 || BreakpointType(i) is 0 or 2)
            {
                continue;
            }
            var first = _dr[i] & ~(ulong)(BreakpointLength(i) - 1);
            _watchedPages[_watchedPageCount++] = first & PageMask;
            _watchedPages[_watchedPageCount++] = (first + (ulong)BreakpointLength(i) - 1) & PageMask;
        }
        FlushTlb();
    }

    private int BreakpointType(int i) => (int)((_dr[7] >> (16 + (4 * i))) & 3);

    private int BreakpointLength(int i) => ((_dr[7] >> (18 + (4 * i))) & 3) switch
    {
        0 => 1,
        1 => 2,
        2 => 8,
        _ => 4,
    };

    /// <summary>Whether a TLB entry for this page may get read/write tags (not when a data breakpoint watches it).</summary>
    private bool IsWatchedPage(ulong page)
    {
        for (var i = 0; i < _watchedPageCount; i++)
        {
            if (_watchedPages[i] == page)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Records data breakpoints an access of <paramref name="size"/> bytes at <paramref name="linear"/> hits (slow path only).</summary>
    private void CheckDataBreakpoints(ulong linear, int size, bool write)
    {
        if (_watchedPageCount == 0)
        {
            return;
        }
        var dr7 = _dr[7];
        for (var i = 0; i < 4; i++)
        {
            var type = BreakpointType(i);
            if (((dr7 >> (2 * i)) & 3) == 0 || type is 0 or 2 || (type == 1 && !write))
            {
                continue;
            }
            var length = (ulong)BreakpointLength(i);
            var start = _dr[i] & ~(length - 1);
            if (linear < start + length && start < linear + (ulong)size)
            {
                _dataBreakpointHits |= 1UL << i;
            }
        }
    }

    /// <summary>
    /// Before an instruction while armed: an enabled execute breakpoint at RIP raises the #DB fault (DR6.Bn,
    /// RIP unchanged) unless RFLAGS.RF is set. Returns true when it fired.
    /// </summary>
    private bool InstructionBreakpoint()
    {
        if ((_rflags & FlagRf) != 0)
        {
            return false;
        }
        var dr7 = _dr[7];
        var linear = (_rip + (_mode == CpuMode.Long64 ? 0 : _segments[1].Base)) & _linearMask;
        ulong hits = 0;
        for (var i = 0; i < 4; i++)
        {
            if (((dr7 >> (2 * i)) & 3) != 0 && BreakpointType(i) == 0 && _dr[i] == linear)
            {
                hits |= 1UL << i;
            }
        }
        if (hits == 0)
        {
            return false;
        }
        RaiseDebug((_dr[6] & ~0xFUL) | hits);
        return true;
    }

    /// <summary>After an instruction retired while armed or single-stepping: data hits and BS, as one #DB trap.</summary>
    private void DebugTrapAfter(bool singleStep)
    {
        var hits = _dataBreakpointHits;
        _dataBreakpointHits = 0;
        if (!singleStep && hits == 0)
        {
            return;
        }
        RaiseDebug((_dr[6] & ~0xFUL) | hits | (singleStep ? Dr6Bs : 0));
    }

    private void RaiseDebug(ulong dr6)
    {
        _dr[6] = dr6 | Dr6Fixed;
        _pendingEvent = new CpuEvent(CpuEventKind.Exception, ExceptionVector.Debug, 0, false, 0, 0, PrivilegedOperation.None, -1, -1, 0);
        DeliverPendingFault();
    }
}
