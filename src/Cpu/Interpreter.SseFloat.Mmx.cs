using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// The conversions between XMM floating point and MMX integers: CVTPI2PS, CVTPS2PI, CVTTPS2PI, CVTPI2PD,
/// CVTPD2PI, CVTTPD2PI, under MXCSR. An MMX register operand makes the x87-to-MMX transition (TOP = 0, all
/// tags valid); CVTPI2PS/CVTPI2PD from memory do not. R0/R1 hold MM indexes where the operand is MMX.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static Handler SelectSseFloatMmx(in Instruction ins, DecodedOp* op)
    {
        var memory = ins.Op1Kind == OpKind.Memory;
        op->Condition = (byte)(ins.Mnemonic switch
        {
            Mnemonic.Cvtpi2ps => 0,
            Mnemonic.Cvtps2pi => 1,
            Mnemonic.Cvttps2pi => 2,
            Mnemonic.Cvtpi2pd => 3,
            Mnemonic.Cvtpd2pi => 4,
            _ => 5,
        });
        if (ins.Op0Register.IsMM())
        {
            op->R0 = (byte)(ins.Op0Register - Iced.Intel.Register.MM0);
        }
        if (!memory && ins.Op1Register.IsMM())
        {
            op->R1 = (byte)(ins.Op1Register - Iced.Intel.Register.MM0);
        }
        var width = memory ? ins.MemorySize.GetSize() : 16;
        op->Extra = (byte)((memory ? 1 : 0) | (memory && width == 16 ? 2 : 0) | (width == 8 ? 0x20 : 0));
        return &FloatMmxConvert;
    }

    private static bool FloatMmxConvert(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        var kind = op->Condition;
        var fromMmx = kind is 0 or 3;
        ulong s0, s1 = 0;
        if (fromMmx && (op->Extra & 1) == 0)
        {
            s0 = c.GetMm(op->R1);
        }
        else if (!c.ReadFloatSource(op, out s0, out s1))
        {
            return false;
        }
        var mxcsr = c._mxcsr;
        uint flags = 0;
        ulong result = kind switch
        {
            0 => Pair(IntegerToFloat((int)s0, false, mxcsr, ref flags), IntegerToFloat((int)(s0 >> 32), false, mxcsr, ref flags)),
            1 or 2 => Pair(FloatToInteger((uint)s0, false, false, kind == 2, mxcsr, ref flags), FloatToInteger(s0 >> 32, false, false, kind == 2, mxcsr, ref flags)),
            3 => 0,
            _ => Pair(FloatToInteger(s0, true, false, kind == 5, mxcsr, ref flags), FloatToInteger(s1, true, false, kind == 5, mxcsr, ref flags)),
        };
        if (flags != 0 && !c.UpdateMxcsr(flags))
        {
            return false;
        }
        if (!fromMmx || (op->Extra & 1) == 0)
        {
            c.EnterMmx();
        }
        var d = 2 * op->R0;
        switch (kind)
        {
            case 0:
                c._xmm[d] = result;
                break;
            case 3:
                c._xmm[d] = IntegerToFloat((int)s0, true, mxcsr, ref flags);
                c._xmm[d + 1] = IntegerToFloat((int)(s0 >> 32), true, mxcsr, ref flags);
                break;
            default:
                c.SetMm(op->R0, result);
                break;
        }
        return true;
    }
}
