using System.Runtime.Intrinsics;
using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// Packed-integer instructions that move data between vector registers, GPRs, flags and memory:
/// PEXTRB/W/D/Q, PINSRB/W/D/Q, PMOVMSKB, PTEST, MASKMOVDQU/MASKMOVQ, the MMX forms of MOVD/MOVQ, MOVQ2DQ,
/// MOVDQ2Q, EMMS, MOVNTI, MOVNTQ, MOVNTDQA and LDDQU.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static Handler SelectIntegerTransfer(in Instruction ins, DecodedOp* op)
    {
        var memoryAt = -1;
        for (var i = 0; i < ins.OpCount; i++)
        {
            if (ins.GetOpKind(i) == OpKind.Memory)
            {
                memoryAt = i;
            }
        }
        switch (ins.Mnemonic)
        {
            case Mnemonic.Pextrb:
            case Mnemonic.Pextrw:
            case Mnemonic.Pextrd:
            case Mnemonic.Pextrq:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Pextrb => 1, Mnemonic.Pextrw => 2, Mnemonic.Pextrd => 4, _ => 8 });
                op->Extra = (byte)((memoryAt == 0 ? 1 : 0) | (ins.Op1Register.IsMM() ? 16 : 0));
                op->R1 = ins.Op1Register.IsMM() ? MmIndex(ins.Op1Register) : RegIndex(ins.Op1Register);
                op->Immediate = ins.Immediate8;
                return &ExtractElement;
            case Mnemonic.Pinsrb:
            case Mnemonic.Pinsrw:
            case Mnemonic.Pinsrd:
            case Mnemonic.Pinsrq:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Pinsrb => 1, Mnemonic.Pinsrw => 2, Mnemonic.Pinsrd => 4, _ => 8 });
                op->Extra = (byte)((memoryAt == 1 ? 1 : 0) | (ins.Op0Register.IsMM() ? 16 : 0));
                op->R0 = ins.Op0Register.IsMM() ? MmIndex(ins.Op0Register) : RegIndex(ins.Op0Register);
                op->Immediate = ins.Immediate8;
                return &InsertElement;
            case Mnemonic.Pmovmskb:
                if (ins.Op1Register.IsMM())
                {
                    op->R1 = MmIndex(ins.Op1Register);
                    return &MoveMaskBytesMmx;
                }
                return &MoveMaskBytes;
            case Mnemonic.Ptest:
                op->Extra = (byte)(memoryAt == 1 ? 3 : 0);
                op->Size = 16;
                return &PackedTest;
            case Mnemonic.Maskmovdqu:
            case Mnemonic.Maskmovq:
                op->Extra = (byte)(ins.Mnemonic == Mnemonic.Maskmovq ? 16 : 0);
                if (ins.Mnemonic == Mnemonic.Maskmovq)
                {
                    op->R1 = MmIndex(ins.GetOpRegister(1));
                    op->R2 = MmIndex(ins.GetOpRegister(2));
                }
                op->Base = 7;
                op->Index = ZeroRegister;
                op->Displacement = 0;
                op->AddressMask = ins.GetOpKind(0) switch { OpKind.MemorySegRDI => ulong.MaxValue, OpKind.MemorySegEDI => 0xFFFFFFFFUL, _ => 0xFFFFUL };
                if (op->Segment > 5)
                {
                    op->Segment = 3;
                }
                return &MaskMove;
            case Mnemonic.Emms:
                return &Emms;
            case Mnemonic.Movd:
            case Mnemonic.Movq:
            case Mnemonic.Movntq:
                var mmTarget = ins.Op0Kind == OpKind.Register && ins.Op0Register.IsMM();
                var mmSource = ins.Op1Kind == OpKind.Register && ins.Op1Register.IsMM();
                if (!mmTarget && !mmSource)
                {
                    return null;
                }
                op->Size = (byte)(ins.Mnemonic == Mnemonic.Movd ? 4 : 8);
                op->Condition = (byte)(mmTarget ? 0 : 1);
                op->Extra = (byte)((memoryAt >= 0 ? 1 : 0) | (mmTarget && mmSource ? 4 : 0));
                if (mmTarget)
                {
                    op->R0 = MmIndex(ins.Op0Register);
                    op->R1 = mmSource ? MmIndex(ins.Op1Register) : op->R1;
                }
                else
                {
                    op->R1 = MmIndex(ins.Op1Register);
                }
                return &MoveMmx;
            case Mnemonic.Movq2dq:
                op->Condition = 2;
                op->R1 = MmIndex(ins.Op1Register);
                return &MoveMmx;
            case Mnemonic.Movdq2q:
                op->Condition = 3;
                op->R0 = MmIndex(ins.Op0Register);
                return &MoveMmx;
            case Mnemonic.Movnti:
                return MovFor<M>(Shape.MR, ins.Op1Register.GetSize());
            case Mnemonic.Movntdqa:
            case Mnemonic.Lddqu:
                op->Condition = 0;
                op->Extra = (byte)(ins.Mnemonic == Mnemonic.Movntdqa ? 3 : 1);
                return &Move128;
            case Mnemonic.Pcmpestri:
            case Mnemonic.Pcmpestrm:
            case Mnemonic.Pcmpestri64:
            case Mnemonic.Pcmpestrm64:
            case Mnemonic.Pcmpistri:
            case Mnemonic.Pcmpistrm:
                return SelectStringCompare(in ins, op, memoryAt == 1);
            default:
                return SelectIntegerExtras(in ins, op);
        }
    }

    /// <summary>PEXTRB/W/D/Q (Condition = element bytes): the element selected by imm8 to a GPR (zero-extended) or to memory; Extra bit 4 = from an MM register.</summary>
    private static bool ExtractElement(X86Cpu c, DecodedOp* op)
    {
        var mmx = (op->Extra & 16) != 0;
        if (mmx ? !c.MmxUsable() : !c.SseUsable())
        {
            return false;
        }
        var size = op->Condition;
        var count = (mmx ? 8 : 16) / size;
        var index = (int)op->Immediate & (count - 1);
        ulong value;
        if (mmx)
        {
            value = c.GetMm(op->R1) >> (8 * size * index);
        }
        else
        {
            var half = c._xmm[(2 * op->R1) + ((index * size) >> 3)];
            value = half >> (8 * ((index * size) & 7));
        }
        value &= size == 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1;
        if ((op->Extra & 1) != 0)
        {
            var ea = c.Ea(op);
            var ok = size switch
            {
                1 => c.TryWrite<S8>(ea, value),
                2 => c.TryWrite<S16>(ea, value),
                4 => c.TryWrite<S32>(ea, value),
                _ => c.TryWrite<S64>(ea, value),
            };
            if (!ok)
            {
                return false;
            }
        }
        else
        {
            c._g[op->R0] = value;
        }
        if (mmx)
        {
            c.EnterMmx();
        }
        return true;
    }

    /// <summary>PINSRB/W/D/Q (Condition = element bytes): the low bits of a GPR or memory into the element selected by imm8; Extra bit 4 = into an MM register.</summary>
    private static bool InsertElement(X86Cpu c, DecodedOp* op)
    {
        var mmx = (op->Extra & 16) != 0;
        if (mmx ? !c.MmxUsable() : !c.SseUsable())
        {
            return false;
        }
        var size = op->Condition;
        ulong value;
        if ((op->Extra & 1) != 0)
        {
            var ea = c.Ea(op);
            var ok = size switch
            {
                1 => c.TryRead<S8>(ea, out value),
                2 => c.TryRead<S16>(ea, out value),
                4 => c.TryRead<S32>(ea, out value),
                _ => c.TryRead<S64>(ea, out value),
            };
            if (!ok)
            {
                return false;
            }
        }
        else
        {
            value = c._g[op->R1];
        }
        var mask = size == 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1;
        value &= mask;
        var count = (mmx ? 8 : 16) / size;
        var index = (int)op->Immediate & (count - 1);
        var shift = 8 * ((index * size) & 7);
        if (mmx)
        {
            c.EnterMmx();
            c.SetMm(op->R0, (c.GetMm(op->R0) & ~(mask << shift)) | (value << shift));
            return true;
        }
        var slot = (2 * op->R0) + ((index * size) >> 3);
        c._xmm[slot] = (c._xmm[slot] & ~(mask << shift)) | (value << shift);
        return true;
    }

    /// <summary>PMOVMSKB r32, mm: the sign bits of the 8 bytes.</summary>
    private static bool MoveMaskBytesMmx(X86Cpu c, DecodedOp* op)
    {
        if (!c.MmxUsable())
        {
            return false;
        }
        c.EnterMmx();
        c._g[op->R0] = Vector128.ExtractMostSignificantBits(Vector128.Create(c.GetMm(op->R1), 0UL).AsByte());
        return true;
    }

    /// <summary>PTEST: ZF = (dst AND src) == 0, CF = (NOT dst AND src) == 0, OF/SF/AF/PF cleared.</summary>
    private static bool PackedTest(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadIntegerSource(op, out var b))
        {
            return false;
        }
        var a = c.LoadXmm(op->R0);
        var flags = ((a & b) == Vector128<ulong>.Zero ? FlagZf : 0) | ((~a & b) == Vector128<ulong>.Zero ? FlagCf : 0);
        c.SetArithFlags(flags);
        return true;
    }

    /// <summary>
    /// MASKMOVDQU xmm1, xmm2 / MASKMOVQ mm1, mm2 (Extra bit 4): the bytes of R1 whose mask byte in R2 has
    /// its top bit set are stored to DS:[RDI]. Both ends of the masked range are translated for writing
    /// before any byte is written, so a fault leaves memory unchanged.
    /// </summary>
    private static bool MaskMove(X86Cpu c, DecodedOp* op)
    {
        var mmx = (op->Extra & 16) != 0;
        if (mmx ? !c.MmxUsable() : !c.SseUsable())
        {
            return false;
        }
        Vector128<ulong> data, mask;
        if (mmx)
        {
            data = Vector128.Create(c.GetMm(op->R1), 0UL);
            mask = Vector128.Create(c.GetMm(op->R2), 0UL);
        }
        else
        {
            data = c.LoadXmm(op->R1);
            mask = c.LoadXmm(op->R2);
        }
        var selected = Vector128.ExtractMostSignificantBits(mask.AsByte());
        if (mmx)
        {
            c.EnterMmx();
        }
        if (selected == 0)
        {
            return true;
        }
        var ea = c.Ea(op);
        var first = System.Numerics.BitOperations.TrailingZeroCount(selected);
        var last = 31 - System.Numerics.BitOperations.LeadingZeroCount(selected);
        if (c.TranslateSlow((ea + (ulong)first) & c._linearMask, Access.Write) == null || c.TranslateSlow((ea + (ulong)last) & c._linearMask, Access.Write) == null)
        {
            return false;
        }
        var bytes = (byte*)&data;
        for (var i = first; i <= last; i++)
        {
            if (((selected >> i) & 1) != 0 && !c.TryWrite<S8>((ea + (ulong)i) & c._linearMask, bytes[i]))
            {
                return false;
            }
        }
        return true;
    }
}
