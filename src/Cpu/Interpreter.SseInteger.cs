using System.Runtime.Intrinsics;
using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;
using IcedRegister = Iced.Intel.Register;

namespace ActorVisor.Cpu;

/// <summary>
/// The packed-integer instructions of SSE2, SSSE3, SSE4.1 and SSE4.2 on XMM registers, and their MMX
/// forms on MM registers. Most are "lane" operations: XMM[R0] (or MM[R0]) = f(XMM[R0], source, imm8)
/// with <c>Condition</c> = <see cref="IntOp"/>; <c>Extra</c> bit 0 = the source is memory of
/// <c>Size</c> bytes, bit 1 = that memory must be 16-byte aligned (#GP(0) otherwise: every legacy-SSE
/// 128-bit operand except MOVDQU, LDDQU and PCMPxSTRx), bit 3 = the source is the immediate (shifts by
/// imm8). Every handler first checks CR0.EM/CR0.TS/CR4.OSFXSR (#UD or #NM) for XMM forms, CR0.EM/CR0.TS
/// for MMX forms.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    /// <summary>The lane operations; the MMX forms share them (see <see cref="MmxLanes"/>).</summary>
    private enum IntOp : byte
    {
        AddB,
        AddW,
        AddD,
        AddQ,
        SubB,
        SubW,
        SubD,
        SubQ,
        AddSatSB,
        AddSatSW,
        AddSatUB,
        AddSatUW,
        SubSatSB,
        SubSatSW,
        SubSatUB,
        SubSatUW,
        MulLowW,
        MulHighSW,
        MulHighUW,
        MulHighRoundSW,
        MulLowD,
        MulUDQ,
        MulSDQ,
        MaddWD,
        MaddUBSW,
        SadBW,
        AvgB,
        AvgW,
        MinUB,
        MaxUB,
        MinSB,
        MaxSB,
        MinUW,
        MaxUW,
        MinSW,
        MaxSW,
        MinUD,
        MaxUD,
        MinSD,
        MaxSD,
        CmpEqB,
        CmpEqW,
        CmpEqD,
        CmpEqQ,
        CmpGtB,
        CmpGtW,
        CmpGtD,
        CmpGtQ,
        And,
        AndNot,
        Or,
        Xor,
        AbsB,
        AbsW,
        AbsD,
        SignB,
        SignW,
        SignD,
        HAddW,
        HAddD,
        HAddSW,
        HSubW,
        HSubD,
        HSubSW,
        MinPosUW,
        MpsadBW,
        PackSSWB,
        PackSSDW,
        PackUSWB,
        PackUSDW,
        UnpackLowBW,
        UnpackLowWD,
        UnpackLowDQ,
        UnpackLowQDQ,
        UnpackHighBW,
        UnpackHighWD,
        UnpackHighDQ,
        UnpackHighQDQ,
        ShiftLeftW,
        ShiftLeftD,
        ShiftLeftQ,
        ShiftRightW,
        ShiftRightD,
        ShiftRightQ,
        ShiftArithW,
        ShiftArithD,
        ShiftLeftBytes,
        ShiftRightBytes,
        ShuffleD,
        ShuffleLowW,
        ShuffleHighW,
        ShuffleBytes,
        AlignRight,
        BlendW,
        BlendVB,
        ExtendSBW,
        ExtendSBD,
        ExtendSBQ,
        ExtendSWD,
        ExtendSWQ,
        ExtendSDQ,
        ExtendZBW,
        ExtendZBD,
        ExtendZBQ,
        ExtendZWD,
        ExtendZWQ,
        ExtendZDQ,
    }

    private static IntOp? LaneOp(Mnemonic mnemonic) => mnemonic switch
    {
        Mnemonic.Paddb => IntOp.AddB,
        Mnemonic.Paddw => IntOp.AddW,
        Mnemonic.Paddd => IntOp.AddD,
        Mnemonic.Paddq => IntOp.AddQ,
        Mnemonic.Psubb => IntOp.SubB,
        Mnemonic.Psubw => IntOp.SubW,
        Mnemonic.Psubd => IntOp.SubD,
        Mnemonic.Psubq => IntOp.SubQ,
        Mnemonic.Paddsb => IntOp.AddSatSB,
        Mnemonic.Paddsw => IntOp.AddSatSW,
        Mnemonic.Paddusb => IntOp.AddSatUB,
        Mnemonic.Paddusw => IntOp.AddSatUW,
        Mnemonic.Psubsb => IntOp.SubSatSB,
        Mnemonic.Psubsw => IntOp.SubSatSW,
        Mnemonic.Psubusb => IntOp.SubSatUB,
        Mnemonic.Psubusw => IntOp.SubSatUW,
        Mnemonic.Pmullw => IntOp.MulLowW,
        Mnemonic.Pmulhw => IntOp.MulHighSW,
        Mnemonic.Pmulhuw => IntOp.MulHighUW,
        Mnemonic.Pmulhrsw => IntOp.MulHighRoundSW,
        Mnemonic.Pmulld => IntOp.MulLowD,
        Mnemonic.Pmuludq => IntOp.MulUDQ,
        Mnemonic.Pmuldq => IntOp.MulSDQ,
        Mnemonic.Pmaddwd => IntOp.MaddWD,
        Mnemonic.Pmaddubsw => IntOp.MaddUBSW,
        Mnemonic.Psadbw => IntOp.SadBW,
        Mnemonic.Pavgb => IntOp.AvgB,
        Mnemonic.Pavgw => IntOp.AvgW,
        Mnemonic.Pminub => IntOp.MinUB,
        Mnemonic.Pmaxub => IntOp.MaxUB,
        Mnemonic.Pminsb => IntOp.MinSB,
        Mnemonic.Pmaxsb => IntOp.MaxSB,
        Mnemonic.Pminuw => IntOp.MinUW,
        Mnemonic.Pmaxuw => IntOp.MaxUW,
        Mnemonic.Pminsw => IntOp.MinSW,
        Mnemonic.Pmaxsw => IntOp.MaxSW,
        Mnemonic.Pminud => IntOp.MinUD,
        Mnemonic.Pmaxud => IntOp.MaxUD,
        Mnemonic.Pminsd => IntOp.MinSD,
        Mnemonic.Pmaxsd => IntOp.MaxSD,
        Mnemonic.Pcmpeqb => IntOp.CmpEqB,
        Mnemonic.Pcmpeqw => IntOp.CmpEqW,
        Mnemonic.Pcmpeqd => IntOp.CmpEqD,
        Mnemonic.Pcmpeqq => IntOp.CmpEqQ,
        Mnemonic.Pcmpgtb => IntOp.CmpGtB,
        Mnemonic.Pcmpgtw => IntOp.CmpGtW,
        Mnemonic.Pcmpgtd => IntOp.CmpGtD,
        Mnemonic.Pcmpgtq => IntOp.CmpGtQ,
        Mnemonic.Pand => IntOp.And,
        Mnemonic.Pandn => IntOp.AndNot,
        Mnemonic.Por => IntOp.Or,
        Mnemonic.Pxor => IntOp.Xor,
        Mnemonic.Pabsb => IntOp.AbsB,
        Mnemonic.Pabsw => IntOp.AbsW,
        Mnemonic.Pabsd => IntOp.AbsD,
        Mnemonic.Psignb => IntOp.SignB,
        Mnemonic.Psignw => IntOp.SignW,
        Mnemonic.Psignd => IntOp.SignD,
        Mnemonic.Phaddw => IntOp.HAddW,
        Mnemonic.Phaddd => IntOp.HAddD,
        Mnemonic.Phaddsw => IntOp.HAddSW,
        Mnemonic.Phsubw => IntOp.HSubW,
        Mnemonic.Phsubd => IntOp.HSubD,
        Mnemonic.Phsubsw => IntOp.HSubSW,
        Mnemonic.Phminposuw => IntOp.MinPosUW,
        Mnemonic.Mpsadbw => IntOp.MpsadBW,
        Mnemonic.Packsswb => IntOp.PackSSWB,
        Mnemonic.Packssdw => IntOp.PackSSDW,
        Mnemonic.Packuswb => IntOp.PackUSWB,
        Mnemonic.Packusdw => IntOp.PackUSDW,
        Mnemonic.Punpcklbw => IntOp.UnpackLowBW,
        Mnemonic.Punpcklwd => IntOp.UnpackLowWD,
        Mnemonic.Punpckldq => IntOp.UnpackLowDQ,
        Mnemonic.Punpcklqdq => IntOp.UnpackLowQDQ,
        Mnemonic.Punpckhbw => IntOp.UnpackHighBW,
        Mnemonic.Punpckhwd => IntOp.UnpackHighWD,
        Mnemonic.Punpckhdq => IntOp.UnpackHighDQ,
        Mnemonic.Punpckhqdq => IntOp.UnpackHighQDQ,
        Mnemonic.Psllw => IntOp.ShiftLeftW,
        Mnemonic.Pslld => IntOp.ShiftLeftD,
        Mnemonic.Psllq => IntOp.ShiftLeftQ,
        Mnemonic.Psrlw => IntOp.ShiftRightW,
        Mnemonic.Psrld => IntOp.ShiftRightD,
        Mnemonic.Psrlq => IntOp.ShiftRightQ,
        Mnemonic.Psraw => IntOp.ShiftArithW,
        Mnemonic.Psrad => IntOp.ShiftArithD,
        Mnemonic.Pslldq => IntOp.ShiftLeftBytes,
        Mnemonic.Psrldq => IntOp.ShiftRightBytes,
        Mnemonic.Pshufd => IntOp.ShuffleD,
        Mnemonic.Pshuflw or Mnemonic.Pshufw => IntOp.ShuffleLowW,
        Mnemonic.Pshufhw => IntOp.ShuffleHighW,
        Mnemonic.Pshufb => IntOp.ShuffleBytes,
        Mnemonic.Palignr => IntOp.AlignRight,
        Mnemonic.Pblendw => IntOp.BlendW,
        Mnemonic.Pblendvb => IntOp.BlendVB,
        Mnemonic.Pmovsxbw => IntOp.ExtendSBW,
        Mnemonic.Pmovsxbd => IntOp.ExtendSBD,
        Mnemonic.Pmovsxbq => IntOp.ExtendSBQ,
        Mnemonic.Pmovsxwd => IntOp.ExtendSWD,
        Mnemonic.Pmovsxwq => IntOp.ExtendSWQ,
        Mnemonic.Pmovsxdq => IntOp.ExtendSDQ,
        Mnemonic.Pmovzxbw => IntOp.ExtendZBW,
        Mnemonic.Pmovzxbd => IntOp.ExtendZBD,
        Mnemonic.Pmovzxbq => IntOp.ExtendZBQ,
        Mnemonic.Pmovzxwd => IntOp.ExtendZWD,
        Mnemonic.Pmovzxwq => IntOp.ExtendZWQ,
        Mnemonic.Pmovzxdq => IntOp.ExtendZDQ,
        _ => null,
    };

    /// <summary>Legacy-SSE instructions whose 128-bit memory operand may be unaligned.</summary>
    private static bool AllowsUnaligned(Mnemonic mnemonic) =>
        mnemonic is Mnemonic.Movdqu or Mnemonic.Lddqu or Mnemonic.Pcmpestri or Mnemonic.Pcmpestrm or Mnemonic.Pcmpestri64 or Mnemonic.Pcmpestrm64 or Mnemonic.Pcmpistri or Mnemonic.Pcmpistrm;

    private static byte MmIndex(IcedRegister register) => (byte)(register - IcedRegister.MM0);

    private Vector128<ulong> LoadXmm(int index) => Vector128.Load(_xmm + (2 * index));

    private void StoreXmm(int index, Vector128<ulong> value) => value.Store(_xmm + (2 * index));

    /// <summary>Returns the handler of a packed-integer SSE/MMX form (or of the BMI/CRC32/MOVBE integer extras), or null when it is not one of ours.</summary>
    private static Handler SelectSseInteger(in Instruction ins, DecodedOp* op)
    {
        if (ins.Encoding == EncodingKind.VEX)
        {
            return SelectBitManipulation(in ins, op);
        }
        if (ins.Encoding != EncodingKind.Legacy)
        {
            return null;
        }
        var lane = LaneOp(ins.Mnemonic);
        if (lane.HasValue)
        {
            return SelectLanes(in ins, op, lane.Value);
        }
        return SelectIntegerTransfer(in ins, op);
    }

    private static Handler SelectLanes(in Instruction ins, DecodedOp* op, IntOp kind)
    {
        if (ins.Op0Kind != OpKind.Register)
        {
            return null;
        }
        var mmx = ins.Op0Register.IsMM();
        op->Condition = (byte)kind;
        op->Extra = 0;
        op->Immediate = 0;
        for (var i = 1; i < ins.OpCount; i++)
        {
            switch (ins.GetOpKind(i))
            {
                case OpKind.Register:
                    if (i == 1)
                    {
                        op->R1 = mmx ? MmIndex(ins.Op1Register) : RegIndex(ins.Op1Register);
                    }
                    break;
                case OpKind.Memory:
                    op->Extra |= 1;
                    op->Size = (byte)ins.MemorySize.GetSize();
                    if (!mmx && op->Size == 16 && !AllowsUnaligned(ins.Mnemonic))
                    {
                        op->Extra |= 2;
                    }
                    break;
                case OpKind.Immediate8:
                    op->Immediate = ins.Immediate8;
                    if (i == 1)
                    {
                        op->Extra |= 8;
                    }
                    break;
                default:
                    break;
            }
        }
        if (mmx)
        {
            op->R0 = MmIndex(ins.Op0Register);
            return &PackedIntegerMmx;
        }
        return ins.Op0Register.IsXMM() ? &PackedIntegerXmm : null;
    }

    /// <summary>Reads the source of a lane operation on XMM registers (see the class summary for the <c>Extra</c> bits).</summary>
    private bool ReadIntegerSource(DecodedOp* op, out Vector128<ulong> value)
    {
        if ((op->Extra & 8) != 0)
        {
            value = Vector128.Create(op->Immediate, 0UL);
            return true;
        }
        if ((op->Extra & 1) == 0)
        {
            value = LoadXmm(op->R1);
            return true;
        }
        if (op->Size == 16)
        {
            return ReadSource128(op, out value);
        }
        value = default;
        ulong bits;
        var ok = op->Size switch
        {
            8 => TryRead<S64>(Ea(op), out bits),
            4 => TryRead<S32>(Ea(op), out bits),
            _ => TryRead<S16>(Ea(op), out bits),
        };
        if (!ok)
        {
            return false;
        }
        value = Vector128.Create(bits, 0UL);
        return true;
    }

    private static Vector128<ulong> IntegerLanes(IntOp kind, Vector128<ulong> a, Vector128<ulong> b, int imm) => ArithmeticLanes(kind, a, b, imm);

    private static bool PackedIntegerXmm(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadIntegerSource(op, out var b))
        {
            return false;
        }
        var a = c.LoadXmm(op->R0);
        var kind = (IntOp)op->Condition;
        var r = kind == IntOp.BlendVB
            ? Vector128.ConditionalSelect(Vector128.ShiftRightArithmetic(c.LoadXmm(0).AsSByte(), 7).AsUInt64(), b, a)
            : IntegerLanes(kind, a, b, (int)op->Immediate);
        c.StoreXmm(op->R0, r);
        return true;
    }
}
