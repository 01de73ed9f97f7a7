using System.Runtime.Intrinsics;
using Iced.Intel;

namespace ActorVisor.Cpu;

/// <summary>
/// The SSE floating-point handlers that compute under MXCSR: packed and scalar arithmetic, SSE3's
/// ADDSUB and horizontal forms, compares, conversions, rounding, reciprocals and SSE4.1's dot products.
/// Operand fields: R0 the destination XMM, R1 the source XMM (or GPR), Size the element size (4 or 8),
/// Condition the operation, Immediate the imm8; Extra bit 0 = memory source, bit 1 = 16-byte alignment
/// required, bit 2 = scalar (only the low element is computed, the rest of R0 is kept), bit 3 = 64-bit
/// integer operand, bits 4-5 = memory width (0: 16 bytes, 1: 4, 2: 8). The exception flags of all
/// elements are collected first; an unmasked one raises #XM (#UD without CR4.OSXMMEXCPT) and leaves the
/// destination unchanged.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const ulong Cr4Osxmmexcpt = 1UL << 10;

    private enum FloatVectorOp : byte
    {
        Add,
        Sub,
        Mul,
        Div,
        Min,
        Max,
        Sqrt,
        AddSub,
        HorizontalAdd,
        HorizontalSub,
    }

    private enum FloatConversion : byte
    {
        Dq2Ps,
        Ps2Dq,
        Ps2DqTruncate,
        Dq2Pd,
        Pd2Dq,
        Pd2DqTruncate,
        Ps2Pd,
        Pd2Ps,
        Ss2Sd,
        Sd2Ss,
    }

    /// <summary>Merges <paramref name="flags"/> into MXCSR, or raises the SIMD exception when one of them is unmasked (false).</summary>
    private bool UpdateMxcsr(uint flags)
    {
        var unmasked = flags & ~(_mxcsr >> 7) & 0x3F;
        if (unmasked == 0)
        {
            _mxcsr |= flags;
            return true;
        }
        var beforeComputing = flags & (MxIe | MxDe | MxZe);
        _mxcsr |= (beforeComputing & unmasked) != 0 ? beforeComputing : flags;
        return (_cr4 & Cr4Osxmmexcpt) != 0 ? RaiseFault(ExceptionVector.SimdFloatingPoint, 0) : RaiseUd();
    }

    /// <summary>The source operand as two 64-bit halves (memory reads of 4 or 8 bytes leave the rest zero).</summary>
    private bool ReadFloatSource(DecodedOp* op, out ulong low, out ulong high)
    {
        if ((op->Extra & 1) == 0)
        {
            low = _xmm[2 * op->R1];
            high = _xmm[(2 * op->R1) + 1];
            return true;
        }
        high = 0;
        switch ((op->Extra >> 4) & 3)
        {
            case 1:
                return TryRead<S32>(Ea(op), out low);
            case 2:
                return TryRead<S64>(Ea(op), out low);
            default:
                var ok = ReadSource128(op, out var v);
                low = v.GetElement(0);
                high = v.GetElement(1);
                return ok;
        }
    }

    private static ulong Lane(ulong low, ulong high, int i) => (uint)((i < 2 ? low : high) >> (32 * (i & 1)));

    private static ulong Pair(ulong lane0, ulong lane1) => (uint)lane0 | ((ulong)(uint)lane1 << 32);

    private static FloatOp LaneOp(FloatVectorOp kind, int lane) => kind switch
    {
        FloatVectorOp.AddSub => (lane & 1) == 0 ? FloatOp.Sub : FloatOp.Add,
        FloatVectorOp.HorizontalAdd => FloatOp.Add,
        FloatVectorOp.HorizontalSub => FloatOp.Sub,
        _ => (FloatOp)kind,
    };

    /// <summary>ADD/SUB/MUL/DIV/MIN/MAX/SQRT PS/PD/SS/SD, ADDSUBPS/PD, HADDPS/PD, HSUBPS/PD.</summary>
    private static bool FloatArithmetic(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out var s1))
        {
            return false;
        }
        var d = 2 * op->R0;
        ulong a0 = c._xmm[d], a1 = c._xmm[d + 1];
        var kind = (FloatVectorOp)op->Condition;
        var scalar = (op->Extra & 4) != 0;
        var mxcsr = c._mxcsr;
        uint flags = 0;
        ulong r0, r1;
        var horizontal = kind is FloatVectorOp.HorizontalAdd or FloatVectorOp.HorizontalSub;
        if (op->Size == 8)
        {
            if (horizontal)
            {
                r0 = FloatBinary(LaneOp(kind, 0), a0, a1, true, mxcsr, ref flags);
                r1 = FloatBinary(LaneOp(kind, 0), s0, s1, true, mxcsr, ref flags);
            }
            else
            {
                r0 = FloatBinary(LaneOp(kind, 0), a0, s0, true, mxcsr, ref flags);
                r1 = scalar ? a1 : FloatBinary(LaneOp(kind, 1), a1, s1, true, mxcsr, ref flags);
            }
        }
        else if (horizontal)
        {
            var op0 = LaneOp(kind, 0);
            r0 = Pair(FloatBinary(op0, Lane(a0, a1, 0), Lane(a0, a1, 1), false, mxcsr, ref flags), FloatBinary(op0, Lane(a0, a1, 2), Lane(a0, a1, 3), false, mxcsr, ref flags));
            r1 = Pair(FloatBinary(op0, Lane(s0, s1, 0), Lane(s0, s1, 1), false, mxcsr, ref flags), FloatBinary(op0, Lane(s0, s1, 2), Lane(s0, s1, 3), false, mxcsr, ref flags));
        }
        else if (scalar)
        {
            r0 = (a0 & 0xFFFFFFFF00000000UL) | FloatBinary(LaneOp(kind, 0), (uint)a0, (uint)s0, false, mxcsr, ref flags);
            r1 = a1;
        }
        else
        {
            r0 = Pair(FloatBinary(LaneOp(kind, 0), Lane(a0, a1, 0), Lane(s0, s1, 0), false, mxcsr, ref flags), FloatBinary(LaneOp(kind, 1), Lane(a0, a1, 1), Lane(s0, s1, 1), false, mxcsr, ref flags));
            r1 = Pair(FloatBinary(LaneOp(kind, 2), Lane(a0, a1, 2), Lane(s0, s1, 2), false, mxcsr, ref flags), FloatBinary(LaneOp(kind, 3), Lane(a0, a1, 3), Lane(s0, s1, 3), false, mxcsr, ref flags));
        }
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        c._xmm[d] = r0;
        c._xmm[d + 1] = r1;
        return true;
    }

    /// <summary>CMPPS/CMPPD/CMPSS/CMPSD: each element becomes all ones when the predicate (Immediate) holds.</summary>
    private static bool FloatCompare(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out var s1))
        {
            return false;
        }
        var d = 2 * op->R0;
        ulong a0 = c._xmm[d], a1 = c._xmm[d + 1];
        var predicate = (int)op->Immediate;
        var scalar = (op->Extra & 4) != 0;
        var mxcsr = c._mxcsr;
        uint flags = 0;
        ulong r0, r1;
        if (op->Size == 8)
        {
            r0 = FloatPredicate(a0, s0, true, predicate, mxcsr, ref flags) ? ulong.MaxValue : 0;
            r1 = scalar ? a1 : FloatPredicate(a1, s1, true, predicate, mxcsr, ref flags) ? ulong.MaxValue : 0;
        }
        else
        {
            var lanes = stackalloc ulong[4];
            for (var i = 0; i < (scalar ? 1 : 4); i++)
            {
                lanes[i] = FloatPredicate(Lane(a0, a1, i), Lane(s0, s1, i), false, predicate, mxcsr, ref flags) ? uint.MaxValue : 0;
            }
            r0 = scalar ? (a0 & 0xFFFFFFFF00000000UL) | lanes[0] : Pair(lanes[0], lanes[1]);
            r1 = scalar ? a1 : Pair(lanes[2], lanes[3]);
        }
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        c._xmm[d] = r0;
        c._xmm[d + 1] = r1;
        return true;
    }

    /// <summary>COMISS/UCOMISS/COMISD/UCOMISD (Condition 1 = COMIS, signalling on quiet NaNs).</summary>
    private static bool FloatCompareToFlags(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out _))
        {
            return false;
        }
        var dbl = op->Size == 8;
        var a = c._xmm[2 * op->R0];
        uint flags = 0;
        var result = FloatCompareFlags(dbl ? a : (uint)a, dbl ? s0 : (uint)s0, dbl, op->Condition == 1, c._mxcsr, ref flags);
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        c.SetArithFlags(result);
        return true;
    }

    /// <summary>ROUNDPS/PD/SS/SD with the imm8 in Immediate.</summary>
    private static bool FloatRoundToIntegral(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out var s1))
        {
            return false;
        }
        var d = 2 * op->R0;
        ulong a0 = c._xmm[d], a1 = c._xmm[d + 1];
        var imm = (int)op->Immediate;
        var scalar = (op->Extra & 4) != 0;
        var mxcsr = c._mxcsr;
        uint flags = 0;
        ulong r0, r1;
        if (op->Size == 8)
        {
            r0 = FloatRound(s0, true, imm, mxcsr, ref flags);
            r1 = scalar ? a1 : FloatRound(s1, true, imm, mxcsr, ref flags);
        }
        else if (scalar)
        {
            r0 = (a0 & 0xFFFFFFFF00000000UL) | FloatRound((uint)s0, false, imm, mxcsr, ref flags);
            r1 = a1;
        }
        else
        {
            r0 = Pair(FloatRound(Lane(s0, s1, 0), false, imm, mxcsr, ref flags), FloatRound(Lane(s0, s1, 1), false, imm, mxcsr, ref flags));
            r1 = Pair(FloatRound(Lane(s0, s1, 2), false, imm, mxcsr, ref flags), FloatRound(Lane(s0, s1, 3), false, imm, mxcsr, ref flags));
        }
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        c._xmm[d] = r0;
        c._xmm[d + 1] = r1;
        return true;
    }

    /// <summary>RCPPS/RCPSS (Condition 0) and RSQRTPS/RSQRTSS (1).</summary>
    private static bool FloatApproximation(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out var s1))
        {
            return false;
        }
        var d = 2 * op->R0;
        var root = op->Condition == 1;
        if ((op->Extra & 4) != 0)
        {
            c._xmm[d] = (c._xmm[d] & 0xFFFFFFFF00000000UL) | FloatReciprocal((uint)s0, root);
            return true;
        }
        c._xmm[d] = Pair(FloatReciprocal((uint)Lane(s0, s1, 0), root), FloatReciprocal((uint)Lane(s0, s1, 1), root));
        c._xmm[d + 1] = Pair(FloatReciprocal((uint)Lane(s0, s1, 2), root), FloatReciprocal((uint)Lane(s0, s1, 3), root));
        return true;
    }

    /// <summary>
    /// DPPS/DPPD: the products selected by imm bits 7:4 (5:4) summed pairwise, written to the lanes of imm bits 3:0 (1:0):
    /// (p1 + p0) and (p3 + p2), then the upper sum plus the lower, the higher lane as first operand (which NaN
    /// is returned). Which NaN the host returns when two or more products are NaNs does not follow one
    /// order in every case; the differential test accepts any of them there.
    /// </summary>
    private static bool FloatDotProduct(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out var s1))
        {
            return false;
        }
        var d = 2 * op->R0;
        ulong a0 = c._xmm[d], a1 = c._xmm[d + 1];
        var imm = (int)op->Immediate;
        var mxcsr = c._mxcsr;
        uint flags = 0;
        ulong r0, r1;
        if (op->Size == 8)
        {
            var p0 = (imm & 0x10) != 0 ? FloatBinary(FloatOp.Mul, a0, s0, true, mxcsr, ref flags) : 0;
            var p1 = (imm & 0x20) != 0 ? FloatBinary(FloatOp.Mul, a1, s1, true, mxcsr, ref flags) : 0;
            var sum = FloatBinary(FloatOp.Add, p1, p0, true, mxcsr, ref flags);
            r0 = (imm & 1) != 0 ? sum : 0;
            r1 = (imm & 2) != 0 ? sum : 0;
        }
        else
        {
            var p = stackalloc ulong[4];
            for (var i = 0; i < 4; i++)
            {
                p[i] = (imm & (0x10 << i)) != 0 ? FloatBinary(FloatOp.Mul, Lane(a0, a1, i), Lane(s0, s1, i), false, mxcsr, ref flags) : 0;
            }
            var low = FloatBinary(FloatOp.Add, p[1], p[0], false, mxcsr, ref flags);
            var high = FloatBinary(FloatOp.Add, p[3], p[2], false, mxcsr, ref flags);
            var sum = FloatBinary(FloatOp.Add, high, low, false, mxcsr, ref flags);
            r0 = Pair((imm & 1) != 0 ? sum : 0, (imm & 2) != 0 ? sum : 0);
            r1 = Pair((imm & 4) != 0 ? sum : 0, (imm & 8) != 0 ? sum : 0);
        }
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        c._xmm[d] = r0;
        c._xmm[d + 1] = r1;
        return true;
    }

    /// <summary>The packed conversions and CVTSS2SD/CVTSD2SS (Condition = <see cref="FloatConversion"/>).</summary>
    private static bool FloatConvert(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out var s1))
        {
            return false;
        }
        var d = 2 * op->R0;
        var mxcsr = c._mxcsr;
        uint flags = 0;
        ulong r0, r1;
        switch ((FloatConversion)op->Condition)
        {
            case FloatConversion.Dq2Ps:
                r0 = Pair(IntegerToFloat((int)s0, false, mxcsr, ref flags), IntegerToFloat((int)(s0 >> 32), false, mxcsr, ref flags));
                r1 = Pair(IntegerToFloat((int)s1, false, mxcsr, ref flags), IntegerToFloat((int)(s1 >> 32), false, mxcsr, ref flags));
                break;
            case FloatConversion.Ps2Dq:
            case FloatConversion.Ps2DqTruncate:
                var truncate = op->Condition == (byte)FloatConversion.Ps2DqTruncate;
                r0 = Pair(FloatToInteger((uint)s0, false, false, truncate, mxcsr, ref flags), FloatToInteger(s0 >> 32, false, false, truncate, mxcsr, ref flags));
                r1 = Pair(FloatToInteger((uint)s1, false, false, truncate, mxcsr, ref flags), FloatToInteger(s1 >> 32, false, false, truncate, mxcsr, ref flags));
                break;
            case FloatConversion.Dq2Pd:
                r0 = IntegerToFloat((int)s0, true, mxcsr, ref flags);
                r1 = IntegerToFloat((int)(s0 >> 32), true, mxcsr, ref flags);
                break;
            case FloatConversion.Pd2Dq:
            case FloatConversion.Pd2DqTruncate:
                var chop = op->Condition == (byte)FloatConversion.Pd2DqTruncate;
                r0 = Pair(FloatToInteger(s0, true, false, chop, mxcsr, ref flags), FloatToInteger(s1, true, false, chop, mxcsr, ref flags));
                r1 = 0;
                break;
            case FloatConversion.Ps2Pd:
                r0 = FloatToFloat((uint)s0, false, mxcsr, ref flags);
                r1 = FloatToFloat(s0 >> 32, false, mxcsr, ref flags);
                break;
            case FloatConversion.Pd2Ps:
                r0 = Pair(FloatToFloat(s0, true, mxcsr, ref flags), FloatToFloat(s1, true, mxcsr, ref flags));
                r1 = 0;
                break;
            case FloatConversion.Ss2Sd:
                r0 = FloatToFloat((uint)s0, false, mxcsr, ref flags);
                r1 = c._xmm[d + 1];
                break;
            default:
                r0 = (c._xmm[d] & 0xFFFFFFFF00000000UL) | FloatToFloat(s0, true, mxcsr, ref flags);
                r1 = c._xmm[d + 1];
                break;
        }
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        c._xmm[d] = r0;
        c._xmm[d + 1] = r1;
        return true;
    }

    /// <summary>CVTSI2SS/CVTSI2SD xmm, r/m32/64 (Size = float size, Extra bit 3 = 64-bit integer source).</summary>
    private static bool IntegerToFloatScalar(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        var wide = (op->Extra & 8) != 0;
        ulong raw;
        if ((op->Extra & 1) != 0)
        {
            if (!(wide ? c.TryRead<S64>(c.Ea(op), out raw) : c.TryRead<S32>(c.Ea(op), out raw)))
            {
                return false;
            }
        }
        else
        {
            raw = c._g[op->R1];
        }
        uint flags = 0;
        var dbl = op->Size == 8;
        var result = IntegerToFloat(wide ? (long)raw : (int)raw, dbl, c._mxcsr, ref flags);
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        var dst = 2 * op->R0;
        c._xmm[dst] = dbl ? result : (c._xmm[dst] & 0xFFFFFFFF00000000UL) | result;
        return true;
    }

    /// <summary>CVT(T)SS2SI/CVT(T)SD2SI r32/64, xmm/m (Size = float size, Extra bit 3 = 64-bit result, Condition 1 = truncate).</summary>
    private static bool FloatToIntegerScalar(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out _))
        {
            return false;
        }
        var dbl = op->Size == 8;
        var wide = (op->Extra & 8) != 0;
        uint flags = 0;
        var result = FloatToInteger(dbl ? s0 : (uint)s0, dbl, wide, op->Condition == 1, c._mxcsr, ref flags);
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        c._g[op->R0] = result;
        return true;
    }

    private static bool IsSingleMnemonic(Mnemonic m) => m.ToString().EndsWith("ps", StringComparison.Ordinal) || m.ToString().EndsWith("ss", StringComparison.Ordinal);
}
