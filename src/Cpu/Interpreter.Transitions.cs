namespace ActorVisor.Cpu;

/// <summary>
/// Privilege and mode transitions: SYSCALL/SYSRET, SYSENTER/SYSEXIT, IRET, segment loads and far
/// transfers. SYSCALL and SYSENTER are offered to the sink first (a PV hypervisor takes hypercalls and
/// guest system calls there); the rest follows the architecture.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static bool Syscall(X86Cpu c, DecodedOp* op)
    {
        var d = c.Offer(op, CpuEventKind.Syscall, 0);
        if (d != EventDisposition.Native)
        {
            return false;
        }
        if ((c._efer & EferSce) == 0 || (c._efer & EferLma) == 0)
        {
            return c.RaiseUd();
        }
        var flags = c.MaterializeFlags();
        c._g[1] = op->NextRip;
        c._g[11] = flags & ~FlagRf;
        var cs = (ushort)((c._star >> 32) & 0xFFFC);
        c._segments[1] = SegmentState.Code64(cs, 0);
        c._segments[2] = SegmentState.Data((ushort)(cs + 8), 0);
        c._rflags = (flags & ~c._sfmask & ~FlagRf) | 2;
        c._rip = c._mode == CpuMode.Long64 ? c._lstar : c._cstar;
        c.UpdateMode();
        return false;
    }

    private static bool Sysret(X86Cpu c, DecodedOp* op)
    {
        if ((c._efer & EferSce) == 0 || (c._efer & EferLma) == 0)
        {
            return c.RaiseUd();
        }
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, PrivilegedOperation.Sysret);
        }
        var baseSelector = (ushort)((c._star >> 48) & 0xFFFF);
        if (op->Size == 8 && !IsCanonical(c._g[1]))
        {
            return c.RaiseGp();
        }
        if (op->Size == 8)
        {
            c._segments[1] = SegmentState.Code64((ushort)((baseSelector + 16) | 3), 3);
            c._rip = c._g[1];
        }
        else
        {
            c._segments[1] = SegmentState.Code32((ushort)(baseSelector | 3), 3);
            c._rip = (uint)c._g[1];
        }
        c._segments[2] = SegmentState.Data((ushort)((baseSelector + 8) | 3), 3);
        c.SetRflagsRaw((c._g[11] & 0x3C7FD7) | 2);
        c.UpdateMode();
        return false;
    }

    private static bool Sysenter(X86Cpu c, DecodedOp* op)
    {
        var d = c.Offer(op, CpuEventKind.Sysenter, 0);
        if (d != EventDisposition.Native)
        {
            return false;
        }
        if ((c._sysenterCs & 0xFFFC) == 0 || c._mode == CpuMode.Real)
        {
            return c.RaiseGp();
        }
        var cs = (ushort)(c._sysenterCs & 0xFFFC);
        var longMode = (c._efer & EferLma) != 0;
        c._segments[1] = longMode ? SegmentState.Code64(cs, 0) : SegmentState.Code32(cs, 0);
        c._segments[2] = SegmentState.Data((ushort)(cs + 8), 0);
        c._rflags = c.MaterializeFlags() & ~(FlagIf | FlagVm | FlagRf);
        c._rip = longMode ? c._sysenterEip : (uint)c._sysenterEip;
        c._g[4] = longMode ? c._sysenterEsp : (uint)c._sysenterEsp;
        c.UpdateMode();
        return false;
    }

    private static bool Sysexit(X86Cpu c, DecodedOp* op)
    {
        if ((c._sysenterCs & 0xFFFC) == 0 || c._mode == CpuMode.Real)
        {
            return c.RaiseGp();
        }
        if (c._cpl != 0)
        {
            return c.RaisePrivileged(op, PrivilegedOperation.Sysexit);
        }
        var baseSelector = (ushort)(c._sysenterCs & 0xFFFC);
        if (op->Size == 8)
        {
            c._segments[1] = SegmentState.Code64((ushort)((baseSelector + 32) | 3), 3);
            c._segments[2] = SegmentState.Data((ushort)((baseSelector + 40) | 3), 3);
            c._rip = c._g[2];
            c._g[4] = c._g[1];
        }
        else
        {
            c._segments[1] = SegmentState.Code32((ushort)((baseSelector + 16) | 3), 3);
            c._segments[2] = SegmentState.Data((ushort)((baseSelector + 24) | 3), 3);
            c._rip = (uint)c._g[2];
            c._g[4] = (uint)c._g[1];
        }
        c.UpdateMode();
        return false;
    }

    /// <summary>IRET/IRETD/IRETQ by operand size: pops RIP, CS, RFLAGS and, in 64-bit mode or to an outer ring, RSP and SS.</summary>
    private static bool Iret(X86Cpu c, DecodedOp* op)
    {
        var size = op->Size;
        var rsp = c._g[4];
        var frame = stackalloc ulong[5];
        var longMode = c._mode == CpuMode.Long64;
        var count = 3;
        for (var i = 0; i < 5; i++)
        {
            if (i == 3)
            {
                var csPeek = (ushort)frame[1];
                if (!longMode && (csPeek & 3) <= c._cpl)
                {
                    break;
                }
                count = 5;
            }
            var address = c.StackLinear(rsp + (ulong)(i * size));
            bool ok;
            ulong value;
            if (size == 8)
            {
                ok = c.TryRead<S64>(address, out value);
            }
            else if (size == 4)
            {
                ok = c.TryRead<S32>(address, out value);
            }
            else
            {
                ok = c.TryRead<S16>(address, out value);
            }
            if (!ok)
            {
                return false;
            }
            frame[i] = value;
        }
        if (c._mode == CpuMode.Real)
        {
            c._rip = frame[0];
            c.LoadRealSegment(1, (ushort)frame[1]);
            c.SetRflagsRaw((c._rflags & ~0xFFFFUL) | frame[2]);
            c._g[4] = (c._g[4] & ~0xFFFFUL) | ((rsp + 6) & 0xFFFF);
            return false;
        }
        var selector = (ushort)frame[1];
        var rpl = selector & 3;
        if (rpl < c._cpl)
        {
            return c.RaiseGp((uint)(selector & 0xFFFC));
        }
        if (!c.ReadDescriptor(selector, out var cs, out _))
        {
            return false;
        }
        if ((cs.Attributes & 0x18) != 0x18)
        {
            return c.RaiseGp((uint)(selector & 0xFFFC));
        }
        if (!cs.Present)
        {
            return c.RaiseFault(ExceptionVector.SegmentNotPresent, (uint)(selector & 0xFFFC));
        }
        SegmentState ss = default;
        if (count == 5)
        {
            var ssSelector = (ushort)frame[4];
            if ((ssSelector & 0xFFFC) == 0)
            {
                if (!(longMode && rpl != 3 && cs.LongMode))
                {
                    return c.RaiseGp(0);
                }
                ss = new SegmentState(ssSelector, 0, 0, 0);
            }
            else
            {
                if (!c.ReadDescriptor(ssSelector, out ss, out _))
                {
                    return false;
                }
                if ((ssSelector & 3) != rpl || ss.Dpl != rpl || (ss.Attributes & 0x1A) != 0x12)
                {
                    return c.RaiseGp((uint)(ssSelector & 0xFFFC));
                }
                if (!ss.Present)
                {
                    return c.RaiseFault(ExceptionVector.StackFault, (uint)(ssSelector & 0xFFFC));
                }
            }
        }
        if (longMode && cs.LongMode && !IsCanonical(frame[0]))
        {
            return c.RaiseGp();
        }
        var oldFlags = c.MaterializeFlags();
        var changeable = FlagCf | FlagPf | FlagAf | FlagZf | FlagSf | FlagTf | FlagDf | FlagOf | FlagNt | FlagRf | FlagAc | FlagId;
        var iopl = (int)((oldFlags >> 12) & 3);
        if (c._cpl == 0)
        {
            changeable |= FlagIopl;
        }
        if (c._cpl <= iopl)
        {
            changeable |= FlagIf;
        }
        if (size == 2)
        {
            changeable &= 0xFFFF;
        }
        c.SetRflagsRaw((oldFlags & ~changeable) | (frame[2] & changeable));
        c._segments[1] = cs with { Selector = selector };
        c._rip = size == 8 ? frame[0] : size == 4 ? (uint)frame[0] : (ushort)frame[0];
        if (count == 5)
        {
            c._g[4] = size == 8 ? frame[3] : (c._g[4] & ~0xFFFFFFFFUL) | (uint)frame[3];
            c._segments[2] = ss with { Selector = (ushort)frame[4] };
        }
        else
        {
            c._g[4] = c.StackPointerUpdate(rsp, rsp + (ulong)(3 * size));
        }
        c.UpdateMode();
        if (rpl > c._segments[1].Dpl || c._cpl > 0)
        {
            c.NullifyOuterDataSegments();
        }
        return false;
    }

    /// <summary>After a return to an outer ring, data segments more privileged than the new CPL become null (as on hardware).</summary>
    private void NullifyOuterDataSegments()
    {
        foreach (var index in (ReadOnlySpan<int>)[0, 3, 4, 5])
        {
            var s = _segments[index];
            var conformingCode = (s.Attributes & 0x1C) == 0x1C;
            if ((s.Selector & 0xFFFC) != 0 && !conformingCode && s.Dpl < _cpl && _mode != CpuMode.Long64)
            {
                _segments[index] = new SegmentState(0, 0, 0, 0);
            }
        }
        UpdateSegmentBases();
    }

    private void LoadRealSegment(int index, ushort selector)
    {
        _segments[index] = _segments[index] with { Selector = selector, Base = (ulong)selector << 4 };
        UpdateMode();
    }

    /// <summary>Loads a data or stack segment register (index 0, 2-5) with the protected-mode checks.</summary>
    private bool LoadDataSegment(int index, ushort selector)
    {
        if (_mode == CpuMode.Real)
        {
            LoadRealSegment(index, selector);
            return true;
        }
        var fsgsBase = _mode == CpuMode.Long64 && index >= 4 ? _segments[index].Base : 0;
        if ((selector & 0xFFFC) == 0)
        {
            if (index == 2 && !(_mode == CpuMode.Long64 && _cpl != 3))
            {
                return RaiseGp(0);
            }
            _segments[index] = new SegmentState(selector, _mode == CpuMode.Long64 ? fsgsBase : 0, 0, 0);
            UpdateSegmentBases();
            return true;
        }
        if (!ReadDescriptor(selector, out var s, out _))
        {
            return false;
        }
        var rpl = selector & 3;
        var code = (s.Attributes & 0x8) != 0;
        if ((s.Attributes & 0x10) == 0)
        {
            return RaiseGp((uint)(selector & 0xFFFC));
        }
        if (index == 2)
        {
            if (rpl != _cpl || s.Dpl != _cpl || code || (s.Attributes & 2) == 0)
            {
                return RaiseGp((uint)(selector & 0xFFFC));
            }
            if (!s.Present)
            {
                return RaiseFault(ExceptionVector.StackFault, (uint)(selector & 0xFFFC));
            }
        }
        else
        {
            var readable = !code || (s.Attributes & 2) != 0;
            var conforming = code && (s.Attributes & 4) != 0;
            if (!readable || (!conforming && (rpl > s.Dpl || _cpl > s.Dpl)))
            {
                return RaiseGp((uint)(selector & 0xFFFC));
            }
            if (!s.Present)
            {
                return RaiseFault(ExceptionVector.SegmentNotPresent, (uint)(selector & 0xFFFC));
            }
        }
        if (_mode == CpuMode.Long64 && index >= 4)
        {
            s = s with { Base = s.Base & 0xFFFFFFFF };
        }
        _segments[index] = s;
        UpdateSegmentBases();
        return true;
    }

    /// <summary>MOV Sreg, r/m16 (Condition = segment index; Extra = 1 for memory).</summary>
    private static bool MovToSegment(X86Cpu c, DecodedOp* op)
    {
        ulong value;
        if (op->Extra != 0 ? !M.Load<S16>(c, op, out value) : !R1.Load<S16>(c, op, out value))
        {
            return false;
        }
        if (op->Condition == 1)
        {
            return c.RaiseUd();
        }
        if (!c.LoadDataSegment(op->Condition, (ushort)value))
        {
            return false;
        }
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>MOV r/m, Sreg (Condition = segment index; Extra = 1 for memory, which stores 16 bits).</summary>
    private static bool MovFromSegment(X86Cpu c, DecodedOp* op)
    {
        var selector = c._segments[op->Condition].Selector;
        if (op->Extra != 0)
        {
            return M.Store<S16>(c, op, selector);
        }
        switch (op->Size)
        {
            case 2:
                S16.SetReg(c._g, op->R0, selector);
                break;
            default:
                c._g[op->R0] = selector;
                break;
        }
        return true;
    }

    /// <summary>PUSH Sreg (Condition = segment index).</summary>
    private static bool PushSegment<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize => c.Push<TS>(c._segments[op->Condition].Selector);

    /// <summary>POP Sreg (Condition = segment index).</summary>
    private static bool PopSegment<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var rsp = c._g[4];
        if (!c.TryRead<TS>(c.StackLinear(rsp), out var v))
        {
            return false;
        }
        if (!c.LoadDataSegment(op->Condition, (ushort)v))
        {
            return false;
        }
        c._g[4] = c.StackPointerUpdate(rsp, rsp + (ulong)TS.Bytes);
        c._rip = op->NextRip;
        return false;
    }

    /// <summary>Loads CS for a far JMP/CALL/RET to the same privilege level (no call gates).</summary>
    private bool LoadCodeSegmentSameLevel(ushort selector, ulong target, bool returning)
    {
        if (!ReadDescriptor(selector, out var cs, out _))
        {
            return false;
        }
        var rpl = selector & 3;
        if ((cs.Attributes & 0x18) != 0x18)
        {
            return RaiseGp((uint)(selector & 0xFFFC));
        }
        var conforming = (cs.Attributes & 4) != 0;
        var allowed = returning ? rpl == _cpl && (conforming ? cs.Dpl <= rpl : cs.Dpl == rpl) : conforming ? cs.Dpl <= _cpl : rpl <= _cpl && cs.Dpl == _cpl;
        if (!allowed)
        {
            return RaiseGp((uint)(selector & 0xFFFC));
        }
        if (!cs.Present)
        {
            return RaiseFault(ExceptionVector.SegmentNotPresent, (uint)(selector & 0xFFFC));
        }
        _segments[1] = cs with { Selector = (ushort)((selector & 0xFFFC) | _cpl) };
        UpdateMode();
        _rip = _mode == CpuMode.Long64 ? target : (uint)target;
        return true;
    }

    /// <summary>Far JMP ptr16:32 or m16:32/64 (Extra = 1 for the memory form; Immediate holds the offset, Displacement the selector for the direct form).</summary>
    private static bool JmpFar(X86Cpu c, DecodedOp* op)
    {
        ulong offset, selector;
        if (op->Extra != 0)
        {
            var ea = c.Ea(op);
            var size = op->Size;
            bool ok = size == 8 ? c.TryRead<S64>(ea, out offset) : size == 4 ? c.TryRead<S32>(ea, out offset) : c.TryRead<S16>(ea, out offset);
            if (!ok || !c.TryRead<S16>((ea + size) & c._linearMask, out selector))
            {
                return false;
            }
        }
        else
        {
            offset = op->Immediate;
            selector = op->Displacement;
        }
        c.LoadCodeSegmentSameLevel((ushort)selector, offset, returning: false);
        return false;
    }

    /// <summary>Far RET (RETF) to the same privilege level, with an optional imm16 release (Immediate).</summary>
    private static bool RetFar(X86Cpu c, DecodedOp* op)
    {
        var size = op->Size;
        var rsp = c._g[4];
        ulong offset, selector;
        bool ok = size == 8 ? c.TryRead<S64>(c.StackLinear(rsp), out offset) : size == 4 ? c.TryRead<S32>(c.StackLinear(rsp), out offset) : c.TryRead<S16>(c.StackLinear(rsp), out offset);
        if (!ok || !c.TryRead<S16>(c.StackLinear(rsp + size), out selector))
        {
            return false;
        }
        if ((selector & 3) != (ulong)c._cpl)
        {
            c.Log($"far return to another privilege level at {op->Rip:x16} is not implemented");
            return c.RaiseGp((uint)(selector & 0xFFFC));
        }
        if (!c.LoadCodeSegmentSameLevel((ushort)selector, offset, returning: true))
        {
            return false;
        }
        c._g[4] = c.StackPointerUpdate(rsp, rsp + (2UL * size) + op->Immediate);
        return false;
    }
}
