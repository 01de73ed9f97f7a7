namespace ActorVisor.Cpu;

/// <summary>
/// SSE floating-point data movement, which never touches MXCSR: shuffles, unpacks, the half-register
/// moves, duplicates, blends, INSERTPS/EXTRACTPS, MOVSS/MOVSD and MOVMSKPS/PD. Operand fields as in
/// <c>Interpreter.SseFloat.Arithmetic.cs</c>.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private enum FloatShuffleOp : byte
    {
        Shufps,
        Shufpd,
        Unpcklps,
        Unpckhps,
        Unpcklpd,
        Unpckhpd,
        Movhlps,
        Movlhps,
        Movsldup,
        Movshdup,
        Movddup,
        Blendps,
        Blendpd,
        Blendvps,
        Blendvpd,
        Insertps,
    }

    /// <summary>Two-operand lane rearrangements: XMM[R0] = f(XMM[R0], source, Immediate) by <see cref="FloatShuffleOp"/>.</summary>
    private static bool FloatShuffle(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadFloatSource(op, out var s0, out var s1))
        {
            return false;
        }
        var d = 2 * op->R0;
        ulong a0 = c._xmm[d], a1 = c._xmm[d + 1];
        var imm = (int)op->Immediate;
        ulong r0, r1;
        switch ((FloatShuffleOp)op->Condition)
        {
            case FloatShuffleOp.Shufps:
                r0 = Pair(Lane(a0, a1, imm & 3), Lane(a0, a1, (imm >> 2) & 3));
                r1 = Pair(Lane(s0, s1, (imm >> 4) & 3), Lane(s0, s1, (imm >> 6) & 3));
                break;
            case FloatShuffleOp.Shufpd:
                r0 = (imm & 1) != 0 ? a1 : a0;
                r1 = (imm & 2) != 0 ? s1 : s0;
                break;
            case FloatShuffleOp.Unpcklps:
                r0 = Pair(Lane(a0, a1, 0), Lane(s0, s1, 0));
                r1 = Pair(Lane(a0, a1, 1), Lane(s0, s1, 1));
                break;
            case FloatShuffleOp.Unpckhps:
                r0 = Pair(Lane(a0, a1, 2), Lane(s0, s1, 2));
                r1 = Pair(Lane(a0, a1, 3), Lane(s0, s1, 3));
                break;
            case FloatShuffleOp.Unpcklpd:
                r0 = a0;
                r1 = s0;
                break;
            case FloatShuffleOp.Unpckhpd:
                r0 = a1;
                r1 = s1;
                break;
            case FloatShuffleOp.Movhlps:
                r0 = s1;
                r1 = a1;
                break;
            case FloatShuffleOp.Movlhps:
                r0 = a0;
                r1 = s0;
                break;
            case FloatShuffleOp.Movsldup:
                r0 = Pair(Lane(s0, s1, 0), Lane(s0, s1, 0));
                r1 = Pair(Lane(s0, s1, 2), Lane(s0, s1, 2));
                break;
            case FloatShuffleOp.Movshdup:
                r0 = Pair(Lane(s0, s1, 1), Lane(s0, s1, 1));
                r1 = Pair(Lane(s0, s1, 3), Lane(s0, s1, 3));
                break;
            case FloatShuffleOp.Movddup:
                r0 = s0;
                r1 = s0;
                break;
            case FloatShuffleOp.Blendps:
            case FloatShuffleOp.Blendvps:
                if (op->Condition == (byte)FloatShuffleOp.Blendvps)
                {
                    imm = (int)(((c._xmm[0] >> 31) & 1) | ((c._xmm[0] >> 62) & 2) | (((c._xmm[1] >> 31) & 1) << 2) | (((c._xmm[1] >> 63) & 1) << 3));
                }
                r0 = Pair((imm & 1) != 0 ? Lane(s0, s1, 0) : Lane(a0, a1, 0), (imm & 2) != 0 ? Lane(s0, s1, 1) : Lane(a0, a1, 1));
                r1 = Pair((imm & 4) != 0 ? Lane(s0, s1, 2) : Lane(a0, a1, 2), (imm & 8) != 0 ? Lane(s0, s1, 3) : Lane(a0, a1, 3));
                break;
            case FloatShuffleOp.Blendpd:
            case FloatShuffleOp.Blendvpd:
                if (op->Condition == (byte)FloatShuffleOp.Blendvpd)
                {
                    imm = (int)((c._xmm[0] >> 63) | ((c._xmm[1] >> 63) << 1));
                }
                r0 = (imm & 1) != 0 ? s0 : a0;
                r1 = (imm & 2) != 0 ? s1 : a1;
                break;
            default:
                var value = (op->Extra & 1) != 0 ? (uint)s0 : Lane(s0, s1, (imm >> 6) & 3);
                var lanes = stackalloc ulong[4];
                for (var i = 0; i < 4; i++)
                {
                    lanes[i] = (imm & (1 << i)) != 0 ? 0 : i == ((imm >> 4) & 3) ? value : Lane(a0, a1, i);
                }
                r0 = Pair(lanes[0], lanes[1]);
                r1 = Pair(lanes[2], lanes[3]);
                break;
        }
        c._xmm[d] = r0;
        c._xmm[d + 1] = r1;
        return true;
    }

    /// <summary>MOVLPS/MOVHPS/MOVLPD/MOVHPD: Condition 0 loads m64 into the low (Extra bit 6 clear) or high half of XMM[R0]; 1 stores that half of XMM[R1].</summary>
    private static bool FloatHalfMove(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        var half = (op->Extra & 0x40) != 0 ? 1 : 0;
        if (op->Condition == 1)
        {
            return c.TryWrite<S64>(c.Ea(op), c._xmm[(2 * op->R1) + half]);
        }
        if (!c.TryRead<S64>(c.Ea(op), out var value))
        {
            return false;
        }
        c._xmm[(2 * op->R0) + half] = value;
        return true;
    }

    /// <summary>MOVSS/MOVSD (Size 4 or 8): Condition 0 register to register (merges the low element), 1 load (zeroes the rest), 2 store.</summary>
    private static bool FloatScalarMove(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        var d = 2 * op->R0;
        switch (op->Condition)
        {
            case 0:
                var low = c._xmm[2 * op->R1];
                c._xmm[d] = op->Size == 8 ? low : (c._xmm[d] & 0xFFFFFFFF00000000UL) | (uint)low;
                return true;
            case 1:
                if (!(op->Size == 8 ? c.TryRead<S64>(c.Ea(op), out var value) : c.TryRead<S32>(c.Ea(op), out value)))
                {
                    return false;
                }
                c._xmm[d] = value;
                c._xmm[d + 1] = 0;
                return true;
            default:
                var source = c._xmm[2 * op->R1];
                return op->Size == 8 ? c.TryWrite<S64>(c.Ea(op), source) : c.TryWrite<S32>(c.Ea(op), source);
        }
    }

    /// <summary>MOVMSKPS/MOVMSKPD r32/64, xmm: the sign bits of the elements, zero-extended.</summary>
    private static bool FloatMoveMask(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        ulong low = c._xmm[2 * op->R1], high = c._xmm[(2 * op->R1) + 1];
        c._g[op->R0] = op->Size == 8
            ? (low >> 63) | ((high >> 63) << 1)
            : ((low >> 31) & 1) | ((low >> 62) & 2) | (((high >> 31) & 1) << 2) | ((high >> 63) << 3);
        return true;
    }

    /// <summary>EXTRACTPS r/m32, xmm, imm8: the lane imm[1:0] of XMM[R1] to memory or a GPR (zero-extended).</summary>
    private static bool FloatExtract(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        var value = Lane(c._xmm[2 * op->R1], c._xmm[(2 * op->R1) + 1], (int)op->Immediate & 3);
        if ((op->Extra & 1) != 0)
        {
            return c.TryWrite<S32>(c.Ea(op), value);
        }
        c._g[op->R0] = value;
        return true;
    }
}
