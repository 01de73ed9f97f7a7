namespace ActorVisor.Cpu;

/// <summary>
/// System instructions and the privilege checks in front of them. A privileged instruction at CPL &gt; 0
/// (or an I/O or IF instruction at CPL &gt; IOPL) raises #GP(0) naming the operation, which a PV sink can
/// emulate. Every system instruction ends its block, so a change of mode or paging takes effect at once.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static bool Cpuid(X86Cpu c, DecodedOp* op)
    {
        var r = c._sink.Cpuid((uint)c._g[0], (uint)c._g[1]);
        c._g[0] = r.Eax;
        c._g[3] = r.Ebx;
        c._g[1] = r.Ecx;
        c._g[2] = r.Edx;
        return true;
    }

    /// <summary>RDTSC (Condition 0) and RDTSCP (Condition 1).</summary>
    private static bool Rdtsc(X86Cpu c, DecodedOp* op)
    {
        if ((c._cr4 & Cr4Tsd) != 0 && c._cpl != 0)
        {
            return c.RaisePrivileged(op, op->Condition == 0 ? PrivilegedOperation.Rdtsc : PrivilegedOperation.Rdtscp);
        }
        var tsc = c._sink.ReadTsc() + c._tscOffset;
        c._g[0] = (uint)tsc;
        c._g[2] = tsc >> 32;
        if (op->Condition == 1)
        {
            c._g[1] = (uint)c._tscAux;
        }
        return true;
    }

    /// <summary>INT n (Condition 0), INT3 (1), INTO (2), INT1 (3); Immediate holds the vector.</summary>
    private static bool SoftwareInterrupt(X86Cpu c, DecodedOp* op)
    {
        if (op->Condition == 2 && !c.GetOf())
        {
            c._rip = op->NextRip;
            return false;
        }
        var vector = (byte)op->Immediate;
        var d = c.Offer(op, CpuEventKind.SoftwareInterrupt, vector);
        if (d != EventDisposition.Native)
        {
            return false;
        }
        c._rip = op->NextRip;
        if (!c.DeliverInterrupt(vector, 0, false, op->Condition == 0 ? InterruptSource.Software : InterruptSource.Exception) && c._faultPending && op->Condition == 0)
        {
            return false;
        }
        if (c._faultPending)
        {
            c._faultPending = false;
            c.DeliverPendingFault();
        }
        return false;
    }

    private static bool Hlt(X86Cpu c, DecodedOp* op)
    {
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, PrivilegedOperation.Hlt);
        }
        if (c.Offer(op, CpuEventKind.Halt, 0) != EventDisposition.Native)
        {
            return false;
        }
        c._rip = op->NextRip;
        c._halted = true;
        c._stop = StopReason.Halted;
        return false;
    }

    /// <summary>CLI (Condition 0) and STI (Condition 1).</summary>
    private static bool CliSti(X86Cpu c, DecodedOp* op)
    {
        var flags = c.MaterializeFlags();
        if (c._cpl > (int)((flags >> 12) & 3) && c._mode != CpuMode.Real)
        {
            return c.RaisePrivileged(op, op->Condition == 0 ? PrivilegedOperation.Cli : PrivilegedOperation.Sti);
        }
        c._rflags = op->Condition == 0 ? flags & ~FlagIf : flags | FlagIf;
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>MOV to or from CRn (Condition = n, Extra = 1 for a write, R0/R1 the GPR).</summary>
    private static bool MovCr(X86Cpu c, DecodedOp* op)
    {
        var write = op->Extra != 0;
        var gpr = write ? op->R1 : op->R0;
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, write ? PrivilegedOperation.MovToCr : PrivilegedOperation.MovFromCr, gpr, op->Condition);
        }
        if (op->Condition is 1 or > 8 or 5 or 6 or 7)
        {
            return c.RaiseUd();
        }
        if (!write)
        {
            c._g[gpr] = op->Condition switch
            {
                0 => c._cr0,
                2 => c._cr2,
                3 => c._cr3,
                4 => c._cr4,
                _ => c._cr8,
            } & (c._mode == CpuMode.Long64 ? ulong.MaxValue : 0xFFFFFFFF);
        }
        else
        {
            var value = c._g[gpr] & (c._mode == CpuMode.Long64 ? ulong.MaxValue : 0xFFFFFFFF);
            if (op->Condition == 0 && (value & Cr0Pg) != 0 && (value & Cr0Pe) == 0)
            {
                return c.RaiseGp();
            }
            c.WriteCr(op->Condition, value);
        }
        c._rip = op->NextRip;
        return false;
    }

    private void WriteCr(int index, ulong value)
    {
        switch (index)
        {
            case 0:
                var changed = _cr0 ^ value;
                _cr0 = value | 0x10;
                if ((changed & (Cr0Pg | Cr0Pe | Cr0Wp)) != 0)
                {
                    FlushTlb(includeGlobal: true);
                }
                UpdateMode();
                break;
            case 2:
                _cr2 = value;
                break;
            case 3:
                _cr3 = value;
                FlushTlb(includeGlobal: false);
                break;
            case 4:
                var diff = _cr4 ^ value;
                _cr4 = value;
                if ((diff & (Cr4Pge | Cr4Pae | 0x10)) != 0)
                {
                    FlushTlb(includeGlobal: true);
                }
                break;
            default:
                _cr8 = value & 0xF;
                break;
        }
    }

    /// <summary>MOV to or from DRn (Condition = n, Extra = 1 for a write).</summary>
    private static bool MovDr(X86Cpu c, DecodedOp* op)
    {
        var write = op->Extra != 0;
        var gpr = write ? op->R1 : op->R0;
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, write ? PrivilegedOperation.MovToDr : PrivilegedOperation.MovFromDr, gpr, op->Condition);
        }
        var n = op->Condition & 7;
        if (n is 4 or 5 && (c._cr4 & Cr4De) != 0)
        {
            return c.RaiseUd();
        }
        if ((c._dr[7] & Dr7Gd) != 0)
        {
            // General detection: the access faults with DR6.BD, and GD clears so the handler can use the registers.
            c._dr[7] &= ~Dr7Gd;
            c._dr[6] = (c._dr[6] & ~0xFUL) | Dr6Bd | Dr6Fixed;
            c.ArmDebug();
            return c.RaiseFault(ExceptionVector.Debug, 0);
        }
        if (write)
        {
            c.SetDebugRegister(n, c._g[gpr]);
        }
        else
        {
            c._g[gpr] = c.GetDebugRegister(n);
        }
        c._rip = op->NextRip;
        return false;
    }

    private static bool Rdmsr(X86Cpu c, DecodedOp* op)
    {
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, PrivilegedOperation.Rdmsr);
        }
        if (!c.TryReadMsr((uint)c._g[1], out var value))
        {
            return c.RaiseGp();
        }
        c._g[0] = (uint)value;
        c._g[2] = value >> 32;
        c._rip = op->NextRip;
        return false;
    }

    private static bool Wrmsr(X86Cpu c, DecodedOp* op)
    {
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, PrivilegedOperation.Wrmsr);
        }
        var value = ((c._g[2] & 0xFFFFFFFF) << 32) | (c._g[0] & 0xFFFFFFFF);
        if (!c.TryWriteMsr((uint)c._g[1], value))
        {
            return c.RaiseGp();
        }
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>Reads an MSR the CPU keeps itself, or asks the sink.</summary>
    public bool TryReadMsr(uint index, out ulong value)
    {
        value = index switch
        {
            MsrEfer => _efer,
            MsrStar => _star,
            MsrLstar => _lstar,
            MsrCstar => _cstar,
            MsrSfmask => _sfmask,
            MsrFsBase => _segments[4].Base,
            MsrGsBase => _segments[5].Base,
            MsrKernelGsBase => _kernelGsBase,
            MsrTscAux => _tscAux,
            MsrSysenterCs => _sysenterCs,
            MsrSysenterEsp => _sysenterEsp,
            MsrSysenterEip => _sysenterEip,
            MsrTsc => _sink.ReadTsc() + _tscOffset,
            _ => 0,
        };
        return index is MsrEfer or MsrStar or MsrLstar or MsrCstar or MsrSfmask or MsrFsBase or MsrGsBase or MsrKernelGsBase or MsrTscAux
            or MsrSysenterCs or MsrSysenterEsp or MsrSysenterEip or MsrTsc || _sink.TryReadMsr(index, out value);
    }

    /// <summary>Writes an MSR the CPU keeps itself, or asks the sink.</summary>
    public bool TryWriteMsr(uint index, ulong value)
    {
        switch (index)
        {
            case MsrEfer:
                SetEfer((value & (EferSce | EferLme | EferNxe)) | (_efer & EferLma));
                return true;
            case MsrStar:
                _star = value;
                return true;
            case MsrLstar:
                _lstar = value;
                return true;
            case MsrCstar:
                _cstar = value;
                return true;
            case MsrSfmask:
                _sfmask = value;
                return true;
            case MsrFsBase:
                SetFsBase(value);
                return true;
            case MsrGsBase:
                SetGsBase(value);
                return true;
            case MsrKernelGsBase:
                _kernelGsBase = value;
                return true;
            case MsrTscAux:
                _tscAux = value;
                return true;
            case MsrSysenterCs:
                _sysenterCs = value;
                return true;
            case MsrSysenterEsp:
                _sysenterEsp = value;
                return true;
            case MsrSysenterEip:
                _sysenterEip = value;
                return true;
            case MsrTsc:
                _tscOffset = value - _sink.ReadTsc();
                return true;
            default:
                return _sink.TryWriteMsr(index, value);
        }
    }

    /// <summary>LGDT (Condition 0), LIDT (1), SGDT (2), SIDT (3) with the memory operand.</summary>
    private static bool DescriptorTable(X86Cpu c, DecodedOp* op)
    {
        var load = op->Condition < 2;
        if (load && c._cpl != 0)
        {
            return c.RaisePrivileged(op, op->Condition == 0 ? PrivilegedOperation.Lgdt : PrivilegedOperation.Lidt);
        }
        var ea = c.Ea(op);
        var wide = c._mode == CpuMode.Long64;
        if (load)
        {
            if (!c.TryRead<S16>(ea, out var limit) || !c.TryRead<S64>((ea + 2) & c._linearMask, out var baseAddress))
            {
                return false;
            }
            var table = new TableRegister(wide ? baseAddress : (uint)baseAddress, (ushort)limit);
            if (op->Condition == 0)
            {
                c._gdtr = table;
            }
            else
            {
                c._idtr = table;
            }
        }
        else
        {
            var table = op->Condition == 2 ? c._gdtr : c._idtr;
            if (!c.TryWrite<S16>(ea, table.Limit) || !(wide ? c.TryWrite<S64>((ea + 2) & c._linearMask, table.Base) : c.TryWrite<S32>((ea + 2) & c._linearMask, table.Base)))
            {
                return false;
            }
        }
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>LLDT (Condition 0), LTR (1), SLDT (2), STR (3); the selector is in R0 or memory (Extra = 1).</summary>
    private static bool SystemSegment(X86Cpu c, DecodedOp* op)
    {
        if (op->Condition >= 2)
        {
            var selector = op->Condition == 2 ? c._ldtr.Selector : c._tr.Selector;
            var stored = op->Extra != 0 ? c.TryWrite<S16>(c.Ea(op), selector) : R0.Store<S32>(c, op, selector);
            if (!stored)
            {
                return false;
            }
            c._rip = op->NextRip;
            return false;
        }
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, op->Condition == 0 ? PrivilegedOperation.Lldt : PrivilegedOperation.Ltr);
        }
        ulong raw;
        if (op->Extra != 0 ? !c.TryRead<S16>(c.Ea(op), out raw) : !R0.Load<S16>(c, op, out raw))
        {
            return false;
        }
        var sel = (ushort)raw;
        if (op->Condition == 0 && (sel & 0xFFFC) == 0)
        {
            c._ldtr = default;
            c._rip = op->NextRip;
            return false;
        }
        if ((sel & 4) != 0)
        {
            return c.RaiseGp((uint)(sel & 0xFFFC));
        }
        if (!c.ReadDescriptor(sel, out var segment, out _))
        {
            return false;
        }
        if ((c._efer & EferLma) != 0)
        {
            if (!c.SystemRead(c._gdtr.Base + (ulong)(sel & 0xFFF8) + 8, 4, out var high))
            {
                return false;
            }
            segment = segment with { Base = segment.Base | (high << 32) };
        }
        var type = segment.Attributes & 0x1F;
        if (op->Condition == 0 ? type != 0x02 : type is not (0x09 or 0x01))
        {
            return c.RaiseGp((uint)(sel & 0xFFFC));
        }
        if (!segment.Present)
        {
            return c.RaiseFault(ExceptionVector.SegmentNotPresent, (uint)(sel & 0xFFFC));
        }
        if (op->Condition == 0)
        {
            c._ldtr = segment;
        }
        else
        {
            c._tr = segment with { Attributes = (ushort)(segment.Attributes | 2) };
        }
        c._rip = op->NextRip;
        return false;
    }

    private static bool Invlpg(X86Cpu c, DecodedOp* op)
    {
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, PrivilegedOperation.Invlpg);
        }
        c.FlushTlbPage(c.Ea(op));
        c._rip = op->NextRip;
        return false;
    }

    private static bool Swapgs(X86Cpu c, DecodedOp* op)
    {
        if (c._mode != CpuMode.Long64)
        {
            return c.RaiseUd();
        }
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, PrivilegedOperation.Swapgs);
        }
        var gs = c._segments[5].Base;
        c.SetGsBase(c._kernelGsBase);
        c._kernelGsBase = gs;
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>CLTS (Condition 0), WBINVD (1), INVD (2).</summary>
    private static bool CacheControl(X86Cpu c, DecodedOp* op)
    {
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, op->Condition switch { 0 => PrivilegedOperation.Clts, 1 => PrivilegedOperation.Wbinvd, _ => PrivilegedOperation.Invd });
        }
        if (op->Condition == 0)
        {
            c._cr0 &= ~Cr0Ts;
        }
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>IN (Extra = 0) and OUT (Extra = 1); port in Immediate or DX (Condition = 1).</summary>
    private static bool PortIo(X86Cpu c, DecodedOp* op)
    {
        var outbound = op->Extra != 0;
        var port = (ushort)(op->Condition != 0 ? c._g[2] : op->Immediate);
        var size = op->Size;
        if (c._mode != CpuMode.Real && c._cpl > (int)((c.MaterializeFlags() >> 12) & 3))
        {
            if (!c.IoBitmapPermits(port, size, out var bitmapFault))
            {
                return !bitmapFault && c.RaisePrivileged(op, outbound ? PrivilegedOperation.Out : PrivilegedOperation.In);
            }
        }
        if (outbound)
        {
            c._sink.Out(port, size, (uint)(c._g[0] & (size == 1 ? 0xFFUL : size == 2 ? 0xFFFFUL : 0xFFFFFFFFUL)));
        }
        else
        {
            var v = c._sink.In(port, size);
            switch (size)
            {
                case 1:
                    S8.SetReg(c._g, 0, v);
                    break;
                case 2:
                    S16.SetReg(c._g, 0, v);
                    break;
                default:
                    c._g[0] = v;
                    break;
            }
        }
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>
    /// The TSS I/O permission bitmap, consulted when CPL &gt; IOPL: a 32- or 64-bit TSS (limit at least
    /// 0x67) holds the bitmap's offset at +0x66; the access is allowed when the bits for all its ports are
    /// clear. The two bytes holding them are read together, and a byte beyond the TSS limit denies.
    /// <paramref name="faulted"/> is set when reading the TSS itself faulted (that fault is pending).
    /// </summary>
    private bool IoBitmapPermits(ushort port, int size, out bool faulted)
    {
        faulted = false;
        var type = _tr.Attributes & 0xF;
        if ((type != 0x9 && type != 0xB) || _tr.Limit < 0x67)
        {
            return false;
        }
        if (!SystemRead(_tr.Base + 0x66, 2, out var offset))
        {
            faulted = true;
            return false;
        }
        var at = offset + ((ulong)port >> 3);
        if (at + 1 > _tr.Limit)
        {
            return false;
        }
        if (!SystemRead(_tr.Base + at, 2, out var bits))
        {
            faulted = true;
            return false;
        }
        var mask = ((1UL << size) - 1) << (port & 7);
        return (bits & mask) == 0;
    }

    private static bool Ud(X86Cpu c, DecodedOp* op) => c.RaiseUd();

    /// <summary>An instruction the CPU does not implement: #UD, with a log line naming it when it was decoded.</summary>
    private static bool Unimplemented(X86Cpu c, DecodedOp* op)
    {
        c.Log($"#UD: unimplemented instruction at {op->Rip:x16}: {c.DescribeUnimplemented(op)}");
        return c.RaiseUd();
    }
}
