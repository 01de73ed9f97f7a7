using System.Runtime.Intrinsics;

namespace ActorVisor.Cpu;

/// <summary>
/// MMX: MM0-MM7 are the 64-bit significands of the x87 physical registers R0-R7. Every MMX instruction
/// (other than EMMS) sets TOP to 0 and marks all eight x87 registers valid; one that writes MMi also sets
/// the sign and exponent of Ri to all ones, as the processor does. EMMS marks all eight empty. The
/// packed operations run the 128-bit lane code on the 64-bit values; the few whose lanes cross the
/// 64-bit halves (high unpacks, packs, horizontal add/subtract, PSHUFB, PALIGNR) are arranged so that
/// the low half of the 128-bit result is the MMX result.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private bool MmxUsable()
    {
        if ((_cr0 & Cr0Em) != 0)
        {
            return RaiseUd();
        }
        if ((_cr0 & Cr0Ts) != 0)
        {
            return RaiseFault(ExceptionVector.DeviceNotAvailable, 0);
        }
        return true;
    }

    private ulong GetMm(int index) => _fpr[index].Mantissa;

    private void SetMm(int index, ulong value) => _fpr[index] = new Extended80(value, 0xFFFF);

    /// <summary>The x87 side effect of an MMX instruction: TOP = 0, all tags valid.</summary>
    private void EnterMmx()
    {
        _fpuTop = 0;
        _fpuValid = 0xFF;
    }

    private bool ReadMmxSource(DecodedOp* op, out ulong value)
    {
        if ((op->Extra & 8) != 0)
        {
            value = op->Immediate;
            return true;
        }
        if ((op->Extra & 1) == 0)
        {
            value = GetMm(op->R1);
            return true;
        }
        return op->Size == 4 ? TryRead<S32>(Ea(op), out value) : TryRead<S64>(Ea(op), out value);
    }

    private static bool PackedIntegerMmx(X86Cpu c, DecodedOp* op)
    {
        if (!c.MmxUsable() || !c.ReadMmxSource(op, out var b))
        {
            return false;
        }
        c.EnterMmx();
        c.SetMm(op->R0, MmxLanes((IntOp)op->Condition, c.GetMm(op->R0), b, (int)op->Immediate));
        return true;
    }

    private static ulong MmxLanes(IntOp kind, ulong a, ulong b, int imm)
    {
        switch (kind)
        {
            case IntOp.UnpackHighBW:
            case IntOp.UnpackHighWD:
            case IntOp.UnpackHighDQ:
                var low = kind - IntOp.UnpackHighBW + IntOp.UnpackLowBW;
                return IntegerLanes(low, Vector128.Create(a >> 32, 0UL), Vector128.Create(b >> 32, 0UL), imm).GetElement(0);
            case IntOp.PackSSWB:
            case IntOp.PackSSDW:
            case IntOp.PackUSWB:
            case IntOp.HAddW:
            case IntOp.HAddD:
            case IntOp.HAddSW:
            case IntOp.HSubW:
            case IntOp.HSubD:
            case IntOp.HSubSW:
                return IntegerLanes(kind, Vector128.Create(a, b), default, imm).GetElement(0);
            case IntOp.ShuffleBytes:
                ulong shuffled = 0;
                for (var i = 0; i < 8; i++)
                {
                    var index = (int)(b >> (8 * i)) & 0xFF;
                    shuffled |= (index & 0x80) != 0 ? 0 : ((a >> (8 * (index & 7))) & 0xFF) << (8 * i);
                }
                return shuffled;
            case IntOp.AlignRight:
                return imm >= 16 ? 0 : (ulong)((((UInt128)a << 64) | b) >> (8 * imm));
            default:
                return IntegerLanes(kind, Vector128.Create(a, 0UL), Vector128.Create(b, 0UL), imm).GetElement(0);
        }
    }

    /// <summary>EMMS: all x87 registers empty.</summary>
    private static bool Emms(X86Cpu c, DecodedOp* op)
    {
        if (!c.MmxUsable())
        {
            return false;
        }
        c._fpuValid = 0;
        return true;
    }

    /// <summary>
    /// MOVD/MOVQ with an MM register (Size = 4 or 8). Condition 0: MM[R0] = zero-extended source (GPR R1,
    /// MM R1 when Extra bit 2, or memory); 1: destination (GPR R0, MM R0 when Extra bit 2, or memory) = MM[R1].
    /// Also MOVNTQ (a store). MOVQ2DQ (Condition 2: XMM[R0] = MM[R1], upper half zero) and MOVDQ2Q (3: MM[R0] = low XMM[R1]).
    /// </summary>
    private static bool MoveMmx(X86Cpu c, DecodedOp* op)
    {
        if (op->Condition >= 2 ? !c.SseUsable() || !c.MmxUsable() : !c.MmxUsable())
        {
            return false;
        }
        var mask = op->Size == 8 ? ulong.MaxValue : 0xFFFFFFFFUL;
        var memory = (op->Extra & 1) != 0;
        switch (op->Condition)
        {
            case 0:
                ulong v;
                if (memory)
                {
                    if (!(op->Size == 8 ? c.TryRead<S64>(c.Ea(op), out v) : c.TryRead<S32>(c.Ea(op), out v)))
                    {
                        return false;
                    }
                }
                else
                {
                    v = (op->Extra & 4) != 0 ? c.GetMm(op->R1) : c._g[op->R1];
                }
                c.EnterMmx();
                c.SetMm(op->R0, v & mask);
                return true;
            case 1:
                var value = c.GetMm(op->R1) & mask;
                if (memory)
                {
                    if (!(op->Size == 8 ? c.TryWrite<S64>(c.Ea(op), value) : c.TryWrite<S32>(c.Ea(op), value)))
                    {
                        return false;
                    }
                }
                else if ((op->Extra & 4) != 0)
                {
                    c.SetMm(op->R0, value);
                }
                else
                {
                    c._g[op->R0] = value;
                }
                c.EnterMmx();
                return true;
            case 2:
                c.EnterMmx();
                c._xmm[2 * op->R0] = c.GetMm(op->R1);
                c._xmm[(2 * op->R0) + 1] = 0;
                return true;
            default:
                c.EnterMmx();
                c.SetMm(op->R0, c._xmm[2 * op->R1]);
                return true;
        }
    }
}
