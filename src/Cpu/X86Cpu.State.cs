namespace ActorVisor.Cpu;

/// <summary>Capture and restore of the architectural state (<see cref="CpuState"/>).</summary>
public sealed unsafe partial class X86Cpu
{
    /// <summary>Returns the complete architectural state; the CPU must not be running.</summary>
    public CpuState Capture()
    {
        var xmm = new ulong[32];
        for (var i = 0; i < 32; i++)
        {
            xmm[i] = _xmm[i];
        }
        return new CpuState
        {
            Gprs = _gprStore.AsSpan(0, 16).ToArray(),
            Rip = _rip,
            Rflags = MaterializeFlags(),
            Segments = (SegmentState[])_segments.Clone(),
            Ldtr = _ldtr,
            Tr = _tr,
            Gdtr = _gdtr,
            Idtr = _idtr,
            Cr0 = _cr0,
            Cr2 = _cr2,
            Cr3 = _cr3,
            Cr4 = _cr4,
            Cr8 = _cr8,
            Efer = _efer,
            Dr = (ulong[])_dr.Clone(),
            FsBase = _segments[4].Base,
            GsBase = _segments[5].Base,
            KernelGsBase = _kernelGsBase,
            Star = _star,
            Lstar = _lstar,
            Cstar = _cstar,
            Sfmask = _sfmask,
            SysenterCs = _sysenterCs,
            SysenterEsp = _sysenterEsp,
            SysenterEip = _sysenterEip,
            Tsc = _tscOffset,
            TscAux = _tscAux,
            Xmm = xmm,
            Mxcsr = _mxcsr,
            Halted = _halted,
            FpuControl = _fpuControl,
            FpuStatus = FpuStatusWord,
            FpuValid = _fpuValid,
            FpuMantissas = [.. _fpr.Select(r => r.Mantissa)],
            FpuSignExponents = [.. _fpr.Select(r => r.SignExponent)],
        };
    }

    /// <summary>
    /// Replaces the whole architectural state. The TLB and decoded blocks are flushed, since the state may
    /// come from another machine. A state of an unknown version or with arrays of the wrong length is
    /// refused with <see cref="ArgumentException"/> naming what is wrong, and nothing changes. A version 1
    /// state (which has no x87 fields) restores with the x87 in its FNINIT state.
    /// </summary>
    public void Restore(CpuState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (Refusal(state) is { } reason)
        {
            throw new ArgumentException($"CPU state refused: {reason}", nameof(state));
        }

        state.Gprs.CopyTo(_gprStore, 0);
        _rip = state.Rip;
        SetRflagsRaw(state.Rflags);
        state.Segments.CopyTo(_segments, 0);
        _segments[4] = _segments[4] with { Base = state.FsBase };
        _segments[5] = _segments[5] with { Base = state.GsBase };
        _ldtr = state.Ldtr;
        _tr = state.Tr;
        _gdtr = state.Gdtr;
        _idtr = state.Idtr;
        _cr0 = state.Cr0;
        _cr2 = state.Cr2;
        _cr3 = state.Cr3;
        _cr4 = state.Cr4;
        _cr8 = state.Cr8;
        _efer = state.Efer;
        state.Dr.CopyTo(_dr, 0);
        ArmDebug();
        _kernelGsBase = state.KernelGsBase;
        _star = state.Star;
        _lstar = state.Lstar;
        _cstar = state.Cstar;
        _sfmask = state.Sfmask;
        _sysenterCs = state.SysenterCs;
        _sysenterEsp = state.SysenterEsp;
        _sysenterEip = state.SysenterEip;
        _tscOffset = state.Tsc;
        _tscAux = state.TscAux;
        for (var i = 0; i < 32; i++)
        {
            _xmm[i] = state.Xmm[i];
        }
        _mxcsr = state.Mxcsr;
        _halted = state.Halted;
        FpuInit();
        if (state.Version >= 2)
        {
            _fpuControl = state.FpuControl;
            _fpuStatus = state.FpuStatus;
            _fpuTop = (state.FpuStatus >> 11) & 7;
            _fpuValid = state.FpuValid;
            for (var i = 0; i < 8; i++)
            {
                _fpr[i] = new Extended80(state.FpuMantissas[i], state.FpuSignExponents[i]);
            }
        }
        _faultPending = false;
        _pendingInterrupt = -1;
        UpdateMode();
        FlushTlb(includeGlobal: true);
        InvalidateAllCode();
    }

    /// <summary>Why <paramref name="state"/> cannot be restored, or null when it can.</summary>
    public static string? Refusal(CpuState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state switch
        {
            { Version: not (1 or CpuState.CurrentVersion) } => $"version {state.Version} is not 1 or {CpuState.CurrentVersion}",
            { Gprs.Length: not 16 } => $"{state.Gprs.Length} general registers instead of 16",
            { Segments.Length: not 6 } => $"{state.Segments.Length} segment registers instead of 6",
            { Xmm.Length: not 32 } => $"{state.Xmm.Length} XMM halves instead of 32",
            { Dr.Length: not 8 } => $"{state.Dr.Length} debug registers instead of 8",
            { FpuMantissas.Length: not 8 } or { FpuSignExponents.Length: not 8 } => "x87 registers not 8",
            _ => null,
        };
    }
}
