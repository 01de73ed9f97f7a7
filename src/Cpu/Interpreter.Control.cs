namespace ActorVisor.Cpu;

/// <summary>
/// Control transfer and the stack: Jcc, JMP, CALL, RET, LOOP/JrCXZ, PUSH/POP, PUSHF/POPF, ENTER/LEAVE.
/// Stack accesses use 64-bit RSP in long mode and 32-bit ESP otherwise (flat SS assumed for the width).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private ulong StackLinear(ulong rsp) => _mode == CpuMode.Long64 ? rsp : WithinLimit(2, (uint)rsp) ? (uint)(rsp + _segBase[2]) : LimitViolation(2);

    private ulong StackPointerUpdate(ulong old, ulong next) => _mode == CpuMode.Long64 ? next : (old & ~0xFFFFFFFFUL) | (uint)next;

    private bool Push<TS>(ulong value)
        where TS : struct, ISize
    {
        var rsp = _g[4] - (ulong)TS.Bytes;
        if (!TryWrite<TS>(StackLinear(rsp), value))
        {
            return false;
        }
        _g[4] = StackPointerUpdate(_g[4], rsp);
        return true;
    }

    private bool Pop<TS>(out ulong value)
        where TS : struct, ISize
    {
        if (!TryRead<TS>(StackLinear(_g[4]), out value))
        {
            return false;
        }
        _g[4] = StackPointerUpdate(_g[4], _g[4] + (ulong)TS.Bytes);
        return true;
    }

    private static bool JmpRel(X86Cpu c, DecodedOp* op)
    {
        c._rip = op->Immediate;
        return false;
    }

    private static bool JmpIndirect<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var target) || !c.CanonicalTarget(target))
        {
            return false;
        }
        c._rip = target;
        return false;
    }

    /// <summary>
    /// A direct JMP, CALL or Jcc (Rep 2, condition in Condition) whose target is non-canonical, chosen at
    /// decode: #GP(0) on the branch when it would be taken, before anything changes; a Jcc not taken
    /// falls through.
    /// </summary>
    private static bool NonCanonicalDirectBranch(X86Cpu c, DecodedOp* op)
    {
        if (op->Rep == 2 && !c.Condition(op->Condition))
        {
            c._rip = op->NextRip;
            return false;
        }
        return c.RaiseGp();
    }

    /// <summary>A branch to a non-canonical RIP faults with #GP(0) on the branch itself, before anything changes.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool CanonicalTarget(ulong target) => _mode != CpuMode.Long64 || IsCanonical(target) || RaiseGp();

    private static bool CallRel<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        if (!c.Push<TS>(op->NextRip))
        {
            return false;
        }
        c._rip = op->Immediate;
        return false;
    }

    private static bool CallIndirect<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var target) || !c.CanonicalTarget(target) || !c.Push<TS>(op->NextRip))
        {
            return false;
        }
        c._rip = target;
        return false;
    }

    /// <summary>RET and RET imm16 (Immediate bytes released after the pop).</summary>
    private static bool Ret<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        if (!c.TryRead<TS>(c.StackLinear(c._g[4]), out var target) || !c.CanonicalTarget(target))
        {
            return false;
        }
        c._g[4] = c.StackPointerUpdate(c._g[4], c._g[4] + (ulong)TS.Bytes);
        if (op->Immediate != 0)
        {
            c._g[4] = c.StackPointerUpdate(c._g[4], c._g[4] + op->Immediate);
        }
        c._rip = target;
        return false;
    }

    /// <summary>LOOP (Condition 0), LOOPE (1), LOOPNE (2), JrCXZ (3); Extra holds the address size in bytes.</summary>
    private static bool Loop(X86Cpu c, DecodedOp* op)
    {
        var mask = op->Extra == 8 ? ulong.MaxValue : op->Extra == 4 ? 0xFFFFFFFFUL : 0xFFFFUL;
        var count = c._g[1] & mask;
        bool taken;
        if (op->Condition == 3)
        {
            taken = count == 0;
        }
        else
        {
            count = (count - 1) & mask;
            c._g[1] = op->Extra == 4 ? count : (c._g[1] & ~mask) | count;
            taken = count != 0 && (op->Condition == 0 || (op->Condition == 1 ? c.GetZf() : !c.GetZf()));
        }
        c._rip = taken ? op->Immediate : op->NextRip;
        return false;
    }

    private static bool PushOp<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var v))
        {
            return false;
        }
        if (typeof(TSrc) == typeof(R0) && op->R0 == 4)
        {
            v = TS.GetReg(c._g, 4);
        }
        return c.Push<TS>(v);
    }

    private static bool PopOp<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var rsp = c._g[4];
        if (!c.TryRead<TS>(c.StackLinear(rsp), out var v))
        {
            return false;
        }
        c._g[4] = c.StackPointerUpdate(rsp, rsp + (ulong)TS.Bytes);
        if (!TD.Store<TS>(c, op, v))
        {
            c._g[4] = rsp;
            return false;
        }
        return true;
    }

    private static bool Pushf<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize => c.Push<TS>(c.MaterializeFlags() & 0x00FCFFFF);

    /// <summary>POPF: IOPL changes only at CPL 0 and IF only when CPL is at most IOPL, as on hardware (silently kept otherwise).</summary>
    private static bool Popf<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        if (!c.Pop<TS>(out var v))
        {
            return false;
        }
        var old = c.MaterializeFlags();
        var changeable = FlagCf | FlagPf | FlagAf | FlagZf | FlagSf | FlagTf | FlagDf | FlagOf | FlagNt | FlagAc | FlagId;
        var iopl = (int)((old >> 12) & 3);
        if (c._cpl == 0)
        {
            changeable |= FlagIopl;
        }
        if (c._cpl <= iopl)
        {
            changeable |= FlagIf;
        }
        changeable &= TS.Mask;
        c.SetRflagsRaw((old & ~changeable) | (v & changeable));
        c._rip = op->NextRip;
        return false;
    }

    private static bool Leave<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var rbp = c._g[5];
        var frame = c._mode == CpuMode.Long64 ? rbp : (uint)rbp;
        if (!c.TryRead<TS>(c.StackLinear(frame), out var saved))
        {
            return false;
        }
        c._g[4] = c.StackPointerUpdate(c._g[4], frame + (ulong)TS.Bytes);
        TS.SetReg(c._g, 5, saved);
        return true;
    }

    /// <summary>ENTER imm16, imm8 (Immediate = frame size, Extra = nesting level).</summary>
    private static bool Enter<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var savedRsp = c._g[4];
        var savedRbp = c._g[5];
        var level = op->Extra & 31;
        if (!c.Push<TS>(TS.GetReg(c._g, 5)))
        {
            return false;
        }
        var frameTemp = c._g[4];
        var rbp = savedRbp;
        for (var i = 1; i < level; i++)
        {
            rbp -= (ulong)TS.Bytes;
            if (!c.TryRead<TS>(c.StackLinear(rbp), out var v) || !c.Push<TS>(v))
            {
                c._g[4] = savedRsp;
                return false;
            }
        }
        if (level > 0 && !c.Push<TS>(frameTemp))
        {
            c._g[4] = savedRsp;
            return false;
        }
        var newRsp = c._g[4] - op->Immediate;
        TS.SetReg(c._g, 5, frameTemp);
        c._g[4] = c.StackPointerUpdate(c._g[4], newRsp);
        return true;
    }
}
