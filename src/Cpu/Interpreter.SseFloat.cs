using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// The SSE, SSE2, SSE3 and SSE4.1 floating-point instructions (legacy encodings): the decode table from
/// mnemonic and operands to the handlers of <c>Interpreter.SseFloat.Arithmetic.cs</c> (MXCSR-governed
/// arithmetic, compares, conversions) and <c>Interpreter.SseFloat.Data.cs</c> (moves and shuffles); the
/// conversions with MMX operands are in <c>Interpreter.SseFloat.Mmx.cs</c>.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    /// <summary>MXCSR: rounding control, DAZ/FTZ, exception masks and sticky status flags.</summary>
    public uint Mxcsr
    {
        get => _mxcsr;
        set => _mxcsr = value & 0xFFFF;
    }

    /// <summary>
    /// True when the CPU has a handler for <paramref name="instruction"/> in the current mode (it is not
    /// turned into the #UD of an unimplemented instruction). The CPUID policy's test asks this for every
    /// instruction of an advertised feature.
    /// </summary>
    public bool Implements(in Instruction instruction)
    {
        DecodedOp op;
        var unimplemented = _unimplementedText.Count;
        Translate(in instruction, &op);
        if (_unimplementedText.Count == unimplemented)
        {
            return true;
        }
        _unimplementedText.RemoveAt(unimplemented);
        return false;
    }

    /// <summary>Returns the handler of a floating-point SSE form, or null when it is not one of ours.</summary>
    private static Handler SelectSseFloat(in Instruction ins, DecodedOp* op)
    {
        if (ins.Encoding != EncodingKind.Legacy)
        {
            return null;
        }
        if (ins.Mnemonic is Mnemonic.Cvtpi2ps or Mnemonic.Cvtps2pi or Mnemonic.Cvttps2pi or Mnemonic.Cvtpi2pd or Mnemonic.Cvtpd2pi or Mnemonic.Cvttpd2pi)
        {
            return SelectSseFloatMmx(in ins, op);
        }
        var memoryAt = -1;
        for (var i = 0; i < ins.OpCount; i++)
        {
            var kind = ins.GetOpKind(i);
            if (kind == OpKind.Memory)
            {
                memoryAt = i;
            }
            else if (kind == OpKind.Register && ins.GetOpRegister(i).IsMM())
            {
                return null;
            }
        }
        var width = memoryAt >= 0 ? ins.MemorySize.GetSize() : 16;
        byte Source(bool aligned) => (byte)((memoryAt == 1 ? 1 : 0) | (aligned && memoryAt == 1 && width == 16 ? 2 : 0) | (width == 4 ? 0x10 : width == 8 ? 0x20 : 0));
        var mnemonic = ins.Mnemonic;
        var name = mnemonic.ToString();
        var single = name.EndsWith("ps", StringComparison.Ordinal) || name.EndsWith("ss", StringComparison.Ordinal);
        var scalar = name.EndsWith("ss", StringComparison.Ordinal) || name.EndsWith("sd", StringComparison.Ordinal);
        switch (mnemonic)
        {
            case Mnemonic.Addps or Mnemonic.Addpd or Mnemonic.Addss or Mnemonic.Addsd:
            case Mnemonic.Subps or Mnemonic.Subpd or Mnemonic.Subss or Mnemonic.Subsd:
            case Mnemonic.Mulps or Mnemonic.Mulpd or Mnemonic.Mulss or Mnemonic.Mulsd:
            case Mnemonic.Divps or Mnemonic.Divpd or Mnemonic.Divss or Mnemonic.Divsd:
            case Mnemonic.Minps or Mnemonic.Minpd or Mnemonic.Minss or Mnemonic.Minsd:
            case Mnemonic.Maxps or Mnemonic.Maxpd or Mnemonic.Maxss or Mnemonic.Maxsd:
            case Mnemonic.Sqrtps or Mnemonic.Sqrtpd or Mnemonic.Sqrtss or Mnemonic.Sqrtsd:
            case Mnemonic.Addsubps or Mnemonic.Addsubpd or Mnemonic.Haddps or Mnemonic.Haddpd or Mnemonic.Hsubps or Mnemonic.Hsubpd:
                op->Size = (byte)(single ? 4 : 8);
                op->Condition = (byte)(name[..3] switch
                {
                    "Add" => name.StartsWith("Addsub", StringComparison.Ordinal) ? FloatVectorOp.AddSub : FloatVectorOp.Add,
                    "Sub" => FloatVectorOp.Sub,
                    "Mul" => FloatVectorOp.Mul,
                    "Div" => FloatVectorOp.Div,
                    "Min" => FloatVectorOp.Min,
                    "Max" => FloatVectorOp.Max,
                    "Sqr" => FloatVectorOp.Sqrt,
                    "Had" => FloatVectorOp.HorizontalAdd,
                    _ => FloatVectorOp.HorizontalSub,
                });
                op->Extra = (byte)(Source(aligned: !scalar) | (scalar ? 4 : 0));
                return &FloatArithmetic;
            case Mnemonic.Cmpps or Mnemonic.Cmppd or Mnemonic.Cmpss or Mnemonic.Cmpsd:
                op->Size = (byte)(single ? 4 : 8);
                op->Immediate = ins.Immediate8;
                op->Extra = (byte)(Source(aligned: !scalar) | (scalar ? 4 : 0));
                return &FloatCompare;
            case Mnemonic.Comiss or Mnemonic.Ucomiss or Mnemonic.Comisd or Mnemonic.Ucomisd:
                op->Size = (byte)(mnemonic is Mnemonic.Comiss or Mnemonic.Ucomiss ? 4 : 8);
                op->Condition = (byte)(mnemonic is Mnemonic.Comiss or Mnemonic.Comisd ? 1 : 0);
                op->Extra = Source(aligned: false);
                return &FloatCompareToFlags;
            case Mnemonic.Roundps or Mnemonic.Roundpd or Mnemonic.Roundss or Mnemonic.Roundsd:
                op->Size = (byte)(single ? 4 : 8);
                op->Immediate = ins.Immediate8;
                op->Extra = (byte)(Source(aligned: !scalar) | (scalar ? 4 : 0));
                return &FloatRoundToIntegral;
            case Mnemonic.Rcpps or Mnemonic.Rcpss or Mnemonic.Rsqrtps or Mnemonic.Rsqrtss:
                op->Size = 4;
                op->Condition = (byte)(mnemonic is Mnemonic.Rsqrtps or Mnemonic.Rsqrtss ? 1 : 0);
                op->Extra = (byte)(Source(aligned: !scalar) | (scalar ? 4 : 0));
                return &FloatApproximation;
            case Mnemonic.Dpps or Mnemonic.Dppd:
                op->Size = (byte)(mnemonic == Mnemonic.Dpps ? 4 : 8);
                op->Immediate = ins.Immediate8;
                op->Extra = Source(aligned: true);
                return &FloatDotProduct;
            case Mnemonic.Cvtdq2ps or Mnemonic.Cvtps2dq or Mnemonic.Cvttps2dq or Mnemonic.Cvtdq2pd or Mnemonic.Cvtpd2dq or Mnemonic.Cvttpd2dq:
            case Mnemonic.Cvtps2pd or Mnemonic.Cvtpd2ps or Mnemonic.Cvtss2sd or Mnemonic.Cvtsd2ss:
                op->Condition = (byte)(mnemonic switch
                {
                    Mnemonic.Cvtdq2ps => FloatConversion.Dq2Ps,
                    Mnemonic.Cvtps2dq => FloatConversion.Ps2Dq,
                    Mnemonic.Cvttps2dq => FloatConversion.Ps2DqTruncate,
                    Mnemonic.Cvtdq2pd => FloatConversion.Dq2Pd,
                    Mnemonic.Cvtpd2dq => FloatConversion.Pd2Dq,
                    Mnemonic.Cvttpd2dq => FloatConversion.Pd2DqTruncate,
                    Mnemonic.Cvtps2pd => FloatConversion.Ps2Pd,
                    Mnemonic.Cvtpd2ps => FloatConversion.Pd2Ps,
                    Mnemonic.Cvtss2sd => FloatConversion.Ss2Sd,
                    _ => FloatConversion.Sd2Ss,
                });
                op->Extra = Source(aligned: true);
                return &FloatConvert;
            case Mnemonic.Cvtsi2ss or Mnemonic.Cvtsi2sd:
                op->Size = (byte)(mnemonic == Mnemonic.Cvtsi2sd ? 8 : 4);
                op->Extra = (byte)((memoryAt == 1 ? 1 : 0) | ((memoryAt == 1 ? width : ins.Op1Register.GetSize()) == 8 ? 8 : 0));
                return &IntegerToFloatScalar;
            case Mnemonic.Cvtss2si or Mnemonic.Cvttss2si or Mnemonic.Cvtsd2si or Mnemonic.Cvttsd2si:
                op->Size = (byte)(mnemonic is Mnemonic.Cvtsd2si or Mnemonic.Cvttsd2si ? 8 : 4);
                op->Condition = (byte)(mnemonic is Mnemonic.Cvttss2si or Mnemonic.Cvttsd2si ? 1 : 0);
                op->Extra = (byte)(Source(aligned: false) | (ins.Op0Register.GetSize() == 8 ? 8 : 0));
                return &FloatToIntegerScalar;
            case Mnemonic.Shufps or Mnemonic.Shufpd or Mnemonic.Unpcklps or Mnemonic.Unpckhps or Mnemonic.Unpcklpd or Mnemonic.Unpckhpd:
            case Mnemonic.Movhlps or Mnemonic.Movlhps or Mnemonic.Movsldup or Mnemonic.Movshdup or Mnemonic.Movddup:
            case Mnemonic.Blendps or Mnemonic.Blendpd or Mnemonic.Blendvps or Mnemonic.Blendvpd or Mnemonic.Insertps:
                op->Condition = (byte)(mnemonic switch
                {
                    Mnemonic.Shufps => FloatShuffleOp.Shufps,
                    Mnemonic.Shufpd => FloatShuffleOp.Shufpd,
                    Mnemonic.Unpcklps => FloatShuffleOp.Unpcklps,
                    Mnemonic.Unpckhps => FloatShuffleOp.Unpckhps,
                    Mnemonic.Unpcklpd => FloatShuffleOp.Unpcklpd,
                    Mnemonic.Unpckhpd => FloatShuffleOp.Unpckhpd,
                    Mnemonic.Movhlps => FloatShuffleOp.Movhlps,
                    Mnemonic.Movlhps => FloatShuffleOp.Movlhps,
                    Mnemonic.Movsldup => FloatShuffleOp.Movsldup,
                    Mnemonic.Movshdup => FloatShuffleOp.Movshdup,
                    Mnemonic.Movddup => FloatShuffleOp.Movddup,
                    Mnemonic.Blendps => FloatShuffleOp.Blendps,
                    Mnemonic.Blendpd => FloatShuffleOp.Blendpd,
                    Mnemonic.Blendvps => FloatShuffleOp.Blendvps,
                    Mnemonic.Blendvpd => FloatShuffleOp.Blendvpd,
                    _ => FloatShuffleOp.Insertps,
                });
                if (ins.OpCount > 2 && ins.GetOpKind(2) == OpKind.Immediate8)
                {
                    op->Immediate = ins.Immediate8;
                }
                op->Extra = Source(aligned: true);
                return &FloatShuffle;
            case Mnemonic.Movlps or Mnemonic.Movhps or Mnemonic.Movlpd or Mnemonic.Movhpd:
                if (memoryAt < 0)
                {
                    return null;
                }
                op->Condition = (byte)(memoryAt == 0 ? 1 : 0);
                op->Extra = (byte)(mnemonic is Mnemonic.Movhps or Mnemonic.Movhpd ? 0x40 : 0);
                return &FloatHalfMove;
            case Mnemonic.Movss or Mnemonic.Movsd:
                op->Size = (byte)(mnemonic == Mnemonic.Movss ? 4 : 8);
                op->Condition = (byte)(memoryAt switch { 1 => 1, 0 => 2, _ => 0 });
                return &FloatScalarMove;
            case Mnemonic.Movmskps or Mnemonic.Movmskpd:
                op->Size = (byte)(mnemonic == Mnemonic.Movmskps ? 4 : 8);
                return &FloatMoveMask;
            case Mnemonic.Extractps:
                op->Immediate = ins.Immediate8;
                op->Extra = (byte)(memoryAt == 0 ? 1 : 0);
                return &FloatExtract;
            case Mnemonic.Lddqu:
                op->Condition = 0;
                op->Extra = 1;
                return &Move128;
            default:
                return null;
        }
    }
}
