using System.Buffers.Binary;
using System.Numerics;

namespace ActorVisor.Cpu;

/// <summary>Data movement (MOV, MOVZX/MOVSX, LEA, XCHG, XADD, CMPXCHG, conversions, BSWAP) and bit operations.</summary>
public sealed unsafe partial class X86Cpu
{
    private static bool Mov<TS, TD, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
        where TSrc : struct, IOperand
    {
        return TSrc.Load<TS>(c, op, out var v) && TD.Store<TS>(c, op, v);
    }

    /// <summary>MOV r64, r64 and MOV r32, r32: the most common instruction, without the generic operand machinery.</summary>
    private static bool MovRR64(X86Cpu c, DecodedOp* op)
    {
        c._g[op->R0] = c._g[op->R1];
        return true;
    }

    /// <summary>MOVZX/MOVSX/MOVSXD R0, src: Condition = 1 sign-extends.</summary>
    private static bool MovExtend<TD, TSrcSize, TSrc>(X86Cpu c, DecodedOp* op)
        where TD : struct, ISize
        where TSrcSize : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TSrcSize>(c, op, out var v))
        {
            return false;
        }
        TD.SetReg(c._g, op->R0, (op->Condition != 0 ? TSrcSize.SignExtend(v) : v) & TD.Mask);
        return true;
    }

    private static bool Lea<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        var g = c._g;
        var a = (op->Displacement + g[op->Base] + (g[op->Index] << op->Scale)) & op->AddressMask;
        TS.SetReg(g, op->R0, a & TS.Mask);
        return true;
    }

    private static bool Xchg<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        var old = TS.Load(p);
        var reg = TS.GetReg(c._g, op->R1);
        TD.End<TS>(c, p, reg);
        TS.SetReg(c._g, op->R1, old);
        return true;
    }

    private static bool Xadd<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        var dst = TS.Load(p);
        var src = TS.GetReg(c._g, op->R1);
        var sum = AddOp.Exec<TS>(c, dst, src);
        TS.SetReg(c._g, op->R1, dst);
        TD.End<TS>(c, p, sum);
        return true;
    }

    private static bool Cmpxchg<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        var dst = TS.Load(p);
        var acc = TS.GetReg(c._g, 0);
        SubOp.Exec<TS>(c, acc, dst);
        if (acc == dst)
        {
            TD.End<TS>(c, p, TS.GetReg(c._g, op->R1));
        }
        else
        {
            if (TD.IsMemory)
            {
                TD.End<TS>(c, p, dst);
            }
            TS.SetReg(c._g, 0, dst);
        }
        return true;
    }

    /// <summary>CMPXCHG8B (Size 8) and CMPXCHG16B (Size 16) m.</summary>
    private static bool CmpxchgDouble(X86Cpu c, DecodedOp* op)
    {
        var ea = c.Ea(op);
        var flags = c.MaterializeFlags() & ~FlagZf;
        if (op->Size == 8)
        {
            var p = c.TryWritePointer<S64>(ea);
            if (p == null)
            {
                return false;
            }
            var current = S64.Load(p);
            var expected = ((c._g[2] & 0xFFFFFFFF) << 32) | (c._g[0] & 0xFFFFFFFF);
            if (current == expected)
            {
                c.EndWrite<S64>(p, ((c._g[1] & 0xFFFFFFFF) << 32) | (c._g[3] & 0xFFFFFFFF));
                flags |= FlagZf;
            }
            else
            {
                c.EndWrite<S64>(p, current);
                c._g[0] = (uint)current;
                c._g[2] = current >> 32;
            }
            c.SetRflagsRaw(flags);
            return true;
        }
        if ((ea & 0xF) != 0)
        {
            return c.RaiseGp();
        }
        var slot = (ulong*)c.TranslateSlow(ea, Access.Write);
        if (slot == null)
        {
            return false;
        }
        // A 16-byte aligned operand lies in one page. CMPXCHG16Bs on the same operand serialise on a lock
        // stripe chosen by the host address (so aliases of one frame share it); each half is then replaced
        // by compare-and-swap, so an 8-byte locked operation of another vCPU on either half is never lost.
        lock (DoubleWideLocks[((nuint)slot >> 4) & (nuint)(DoubleWideLocks.Length - 1)])
        {
            while (true)
            {
                var lo = Volatile.Read(ref slot[0]);
                var hi = Volatile.Read(ref slot[1]);
                if (lo != c._g[0] || hi != c._g[2])
                {
                    c._g[0] = lo;
                    c._g[2] = hi;
                    break;
                }
                if (Interlocked.CompareExchange(ref slot[0], c._g[3], lo) != lo)
                {
                    continue;
                }
                if (Interlocked.CompareExchange(ref slot[1], c._g[1], hi) == hi)
                {
                    flags |= FlagZf;
                    break;
                }
                Interlocked.CompareExchange(ref slot[0], lo, c._g[3]);
            }
        }
        c.SetRflagsRaw(flags);
        return true;
    }

    private static readonly object[] DoubleWideLocks = [.. Enumerable.Range(0, 64).Select(_ => new object())];

    /// <summary>CBW/CWDE/CDQE (Condition = 0) and CWD/CDQ/CQO (Condition = 1), by operand size.</summary>
    private static bool ConvertAccumulator(X86Cpu c, DecodedOp* op)
    {
        var g = c._g;
        if (op->Condition == 0)
        {
            switch (op->Size)
            {
                case 2:
                    S16.SetReg(g, 0, (ulong)(sbyte)g[0]);
                    break;
                case 4:
                    g[0] = (uint)(short)g[0];
                    break;
                default:
                    g[0] = (ulong)(int)g[0];
                    break;
            }
            return true;
        }
        switch (op->Size)
        {
            case 2:
                S16.SetReg(g, 2, (short)g[0] < 0 ? 0xFFFFUL : 0);
                break;
            case 4:
                g[2] = (int)g[0] < 0 ? 0xFFFFFFFFUL : 0;
                break;
            default:
                g[2] = (long)g[0] < 0 ? ulong.MaxValue : 0;
                break;
        }
        return true;
    }

    private static bool Bswap(X86Cpu c, DecodedOp* op)
    {
        var g = c._g;
        switch (op->Size)
        {
            case 8:
                g[op->R0] = BinaryPrimitives.ReverseEndianness(g[op->R0]);
                break;
            case 4:
                g[op->R0] = BinaryPrimitives.ReverseEndianness((uint)g[op->R0]);
                break;
            default:
                S16.SetReg(g, op->R0, 0);
                break;
        }
        return true;
    }

    private static bool SetCc<TD>(X86Cpu c, DecodedOp* op)
        where TD : struct, IOperand => TD.Store<S8>(c, op, c.Condition(op->Condition) ? 1UL : 0UL);

    private static bool Cmov<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var v))
        {
            return false;
        }
        if (c.Condition(op->Condition))
        {
            TS.SetReg(c._g, op->R0, v);
        }
        else if (TS.Bytes == 4)
        {
            c._g[op->R0] = (uint)c._g[op->R0];
        }
        return true;
    }

    /// <summary>BT/BTS/BTR/BTC (Condition 0-3) with a register or immediate bit offset (Extra = 1 for immediate).</summary>
    private static bool BitTest<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var bits = TS.Bytes * 8;
        long offset = op->Extra != 0 ? (long)(op->Immediate & (ulong)(bits - 1)) : (long)TS.SignExtend(TS.GetReg(c._g, op->R1));
        var p = (byte*)null;
        ulong value;
        var savedDisp = op->Displacement;
        if (TD.IsMemory && op->Extra == 0)
        {
            op->Displacement = savedDisp + (ulong)((offset >> 3) & ~(long)(TS.Bytes - 1));
        }
        var bit = (int)(offset & (bits - 1));
        if (op->Condition == 0)
        {
            var ok = TD.Load<TS>(c, op, out value);
            op->Displacement = savedDisp;
            if (!ok)
            {
                return false;
            }
        }
        else
        {
            p = TD.Begin<TS>(c, op);
            op->Displacement = savedDisp;
            if (p == null)
            {
                return false;
            }
            value = TS.Load(p);
            var mask = 1UL << bit;
            var result = op->Condition switch
            {
                1 => value | mask,
                2 => value & ~mask,
                _ => value ^ mask,
            };
            TD.End<TS>(c, p, result);
        }
        var f = c.MaterializeFlags() & ~FlagCf;
        if (((value >> bit) & 1) != 0)
        {
            f |= FlagCf;
        }
        c.SetRflagsRaw(f);
        return true;
    }

    /// <summary>
    /// BSF (Condition 0), BSR (1), TZCNT (2), LZCNT (3), POPCNT (4) into R0. Undefined flags follow this
    /// machine's processor: BSF/BSR set PF from the bit index (PF = 1 for a zero source) and clear CF, OF, SF, AF; TZCNT/LZCNT keep OF.
    /// </summary>
    private static bool BitScan<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var v))
        {
            return false;
        }
        var bits = TS.Bytes * 8;
        var f = c.MaterializeFlags() & ~ArithFlags;
        switch (op->Condition)
        {
            case 0:
            case 1:
                if (v == 0)
                {
                    f |= FlagZf;
                }
                else
                {
                    var index = op->Condition == 0 ? BitOperations.TrailingZeroCount(v) : 63 - BitOperations.LeadingZeroCount(v);
                    TS.SetReg(c._g, op->R0, (ulong)index);
                }
                f |= v == 0 ? FlagPf : ParityFlag(TS.GetReg(c._g, op->R0));
                break;
            case 2:
            case 3:
                var count = v == 0 ? bits : op->Condition == 2 ? BitOperations.TrailingZeroCount(v) : BitOperations.LeadingZeroCount(v) - (64 - bits);
                TS.SetReg(c._g, op->R0, (ulong)count);
                f |= (v == 0 ? FlagCf : 0) | (count == 0 ? FlagZf : 0) | (c._rflags & FlagOf);
                break;
            default:
                TS.SetReg(c._g, op->R0, (ulong)PopCount(v));
                f |= v == 0 ? FlagZf : 0;
                break;
        }
        c.SetRflagsRaw(f);
        return true;
    }

    private static bool Nop(X86Cpu c, DecodedOp* op) => true;

    /// <summary>CLC, STC, CMC, CLD, STD (Condition 0-4).</summary>
    private static bool FlagOp(X86Cpu c, DecodedOp* op)
    {
        var f = c.MaterializeFlags();
        f = op->Condition switch
        {
            0 => f & ~FlagCf,
            1 => f | FlagCf,
            2 => f ^ FlagCf,
            3 => f & ~FlagDf,
            _ => f | FlagDf,
        };
        c._rflags = f;
        return true;
    }

    private static bool Lahf(X86Cpu c, DecodedOp* op)
    {
        S8.SetReg(c._g, 16, (c.MaterializeFlags() & 0xD5) | 2);
        return true;
    }

    private static bool Sahf(X86Cpu c, DecodedOp* op)
    {
        var f = c.MaterializeFlags() & ~0xD5UL;
        c._rflags = f | (S8.GetReg(c._g, 16) & 0xD5) | 2;
        return true;
    }
}
