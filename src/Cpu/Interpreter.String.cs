namespace ActorVisor.Cpu;

/// <summary>
/// String instructions with REP/REPE/REPNE (Rep = 1 for REP/REPE, 2 for REPNE; Extra = address size;
/// Segment = source segment). A fault in the middle leaves RCX/RSI/RDI describing the work still to do
/// and RIP at the instruction, so a restart continues exactly, as on hardware. Forward REP MOVS/STOS
/// copy a page-bounded chunk at a time through host pointers.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private ulong AddressMaskOf(DecodedOp* op) => op->Extra == 8 ? ulong.MaxValue : op->Extra == 4 ? 0xFFFFFFFFUL : 0xFFFFUL;

    private void SetIndex(int register, ulong value, ulong mask)
    {
        _g[register] = mask == 0xFFFFFFFFUL ? value & mask : (_g[register] & ~mask) | (value & mask);
    }

    private static bool Movs<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var mask = c.AddressMaskOf(op);
        var step = (c._rflags & FlagDf) != 0 ? (ulong)(-TS.Bytes) : (ulong)TS.Bytes;
        var rep = op->Rep != 0;
        var srcBase = c._segBase[op->Segment];
        var dstBase = c._segBase[0];
        while (!rep || (c._g[1] & mask) != 0)
        {
            var si = c._g[6] & mask;
            var di = c._g[7] & mask;
            if (rep && step == (ulong)TS.Bytes && c.MovsChunk<TS>(si, di, srcBase, dstBase, mask, out var done))
            {
                if (done)
                {
                    continue;
                }
                return false;
            }
            if (!c.TryRead<TS>((si + srcBase) & c._linearMask, out var v) || !c.TryWrite<TS>((di + dstBase) & c._linearMask, v))
            {
                return false;
            }
            c.SetIndex(6, si + step, mask);
            c.SetIndex(7, di + step, mask);
            if (!rep)
            {
                break;
            }
            c.SetIndex(1, (c._g[1] & mask) - 1, mask);
        }
        return true;
    }

    /// <summary>Copies as many whole elements as fit in the current source and destination pages; false with done=false after a fault.</summary>
    private bool MovsChunk<TS>(ulong si, ulong di, ulong srcBase, ulong dstBase, ulong mask, out bool done)
        where TS : struct, ISize
    {
        done = true;
        var src = (si + srcBase) & _linearMask;
        var dst = (di + dstBase) & _linearMask;
        var count = _g[1] & mask;
        var room = Math.Min(0x1000 - (src & 0xFFF), 0x1000 - (dst & 0xFFF)) / (ulong)TS.Bytes;
        var n = Math.Min(count, room);
        if (n < 2 || (dst > src && dst - src < n * (ulong)TS.Bytes) || ((si + (n * (ulong)TS.Bytes)) & ~mask) != 0 || ((di + (n * (ulong)TS.Bytes)) & ~mask) != 0)
        {
            return false;
        }
        var from = TranslateSlow(src, Access.Read);
        if (from == null)
        {
            done = false;
            return true;
        }
        var to = TranslateSlow(dst, Access.Write);
        if (to == null)
        {
            done = false;
            return true;
        }
        var bytes = n * (ulong)TS.Bytes;
        Buffer.MemoryCopy(from, to, (long)bytes, (long)bytes);
        SetIndex(6, si + bytes, mask);
        SetIndex(7, di + bytes, mask);
        SetIndex(1, count - n, mask);
        return true;
    }

    private static bool Stos<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var mask = c.AddressMaskOf(op);
        var step = (c._rflags & FlagDf) != 0 ? (ulong)(-TS.Bytes) : (ulong)TS.Bytes;
        var rep = op->Rep != 0;
        var value = TS.GetReg(c._g, 0);
        var dstBase = c._segBase[0];
        while (!rep || (c._g[1] & mask) != 0)
        {
            var di = c._g[7] & mask;
            var dst = (di + dstBase) & c._linearMask;
            if (rep && step == (ulong)TS.Bytes)
            {
                var count = c._g[1] & mask;
                var n = Math.Min(count, (0x1000 - (dst & 0xFFF)) / (ulong)TS.Bytes);
                if (n >= 2 && ((di + (n * (ulong)TS.Bytes)) & ~mask) == 0)
                {
                    var to = c.TranslateSlow(dst, Access.Write);
                    if (to == null)
                    {
                        return false;
                    }
                    for (ulong i = 0; i < n; i++)
                    {
                        TS.Store(to + (i * (ulong)TS.Bytes), value);
                    }
                    c.SetIndex(7, di + (n * (ulong)TS.Bytes), mask);
                    c.SetIndex(1, count - n, mask);
                    continue;
                }
            }
            if (!c.TryWrite<TS>(dst, value))
            {
                return false;
            }
            c.SetIndex(7, di + step, mask);
            if (!rep)
            {
                break;
            }
            c.SetIndex(1, (c._g[1] & mask) - 1, mask);
        }
        return true;
    }

    private static bool Lods<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var mask = c.AddressMaskOf(op);
        var step = (c._rflags & FlagDf) != 0 ? (ulong)(-TS.Bytes) : (ulong)TS.Bytes;
        var rep = op->Rep != 0;
        while (!rep || (c._g[1] & mask) != 0)
        {
            var si = c._g[6] & mask;
            if (!c.TryRead<TS>((si + c._segBase[op->Segment]) & c._linearMask, out var v))
            {
                return false;
            }
            TS.SetReg(c._g, 0, v);
            c.SetIndex(6, si + step, mask);
            if (!rep)
            {
                break;
            }
            c.SetIndex(1, (c._g[1] & mask) - 1, mask);
        }
        return true;
    }

    /// <summary>CMPS: compares [rSI] with ES:[rDI] (flags as for CMP src, dst).</summary>
    private static bool Cmps<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var mask = c.AddressMaskOf(op);
        var step = (c._rflags & FlagDf) != 0 ? (ulong)(-TS.Bytes) : (ulong)TS.Bytes;
        var rep = op->Rep;
        while (rep == 0 || (c._g[1] & mask) != 0)
        {
            var si = c._g[6] & mask;
            var di = c._g[7] & mask;
            if (!c.TryRead<TS>((si + c._segBase[op->Segment]) & c._linearMask, out var a) || !c.TryRead<TS>((di + c._segBase[0]) & c._linearMask, out var b))
            {
                return false;
            }
            SubOp.Exec<TS>(c, a, b);
            c.SetIndex(6, si + step, mask);
            c.SetIndex(7, di + step, mask);
            if (rep == 0)
            {
                break;
            }
            c.SetIndex(1, (c._g[1] & mask) - 1, mask);
            if ((rep == 1) != (a == b))
            {
                break;
            }
        }
        return true;
    }

    /// <summary>SCAS: compares rAX with ES:[rDI].</summary>
    private static bool Scas<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var mask = c.AddressMaskOf(op);
        var step = (c._rflags & FlagDf) != 0 ? (ulong)(-TS.Bytes) : (ulong)TS.Bytes;
        var rep = op->Rep;
        var a = TS.GetReg(c._g, 0);
        while (rep == 0 || (c._g[1] & mask) != 0)
        {
            var di = c._g[7] & mask;
            if (!c.TryRead<TS>((di + c._segBase[0]) & c._linearMask, out var b))
            {
                return false;
            }
            SubOp.Exec<TS>(c, a, b);
            c.SetIndex(7, di + step, mask);
            if (rep == 0)
            {
                break;
            }
            c.SetIndex(1, (c._g[1] & mask) - 1, mask);
            if ((rep == 1) != (a == b))
            {
                break;
            }
        }
        return true;
    }
}
