using System.Runtime.Intrinsics;
using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// The SSE/SSE2 subset compilers emit for memcpy/memset and zeroing: 128-bit moves, MOVD/MOVQ with XMM
/// registers, the float logic forms, LDMXCSR/STMXCSR, FXSAVE/FXRSTOR. The packed-integer and MMX forms
/// are selected first, in <c>Interpreter.SseInteger.cs</c>; the floating-point forms (computed under
/// MXCSR) in <c>Interpreter.SseFloat*.cs</c>. Every handler first checks CR0.EM/CR0.TS/CR4.OSFXSR (#UD or #NM).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const ulong Cr0Em = 1UL << 2;
    private const ulong Cr4Osfxsr = 1UL << 9;

    private bool SseUsable()
    {
        if ((_cr0 & Cr0Em) != 0 || (_cr4 & Cr4Osfxsr) == 0)
        {
            return RaiseUd();
        }
        if ((_cr0 & Cr0Ts) != 0)
        {
            return RaiseFault(ExceptionVector.DeviceNotAvailable, 0);
        }
        return true;
    }

    private Vector128<ulong> GetXmm(int index) => Vector128.Create(_xmm[2 * index], _xmm[(2 * index) + 1]);

    private void SetXmm(int index, Vector128<ulong> value)
    {
        _xmm[2 * index] = value.GetElement(0);
        _xmm[(2 * index) + 1] = value.GetElement(1);
    }

    /// <summary>Reads the 128-bit source operand: XMM[R1] or memory (Extra bit 0 = memory, bit 1 = alignment required).</summary>
    private bool ReadSource128(DecodedOp* op, out Vector128<ulong> value)
    {
        value = default;
        if ((op->Extra & 1) == 0)
        {
            value = GetXmm(op->R1);
            return true;
        }
        var ea = Ea(op);
        if ((op->Extra & 2) != 0 && (ea & 15) != 0)
        {
            return RaiseGp();
        }
        if (!TryRead<S64>(ea, out var low) || !TryRead<S64>((ea + 8) & _linearMask, out var high))
        {
            return false;
        }
        value = Vector128.Create(low, high);
        return true;
    }

    private bool WriteMemory128(DecodedOp* op, Vector128<ulong> value)
    {
        var ea = Ea(op);
        if ((op->Extra & 2) != 0 && (ea & 15) != 0)
        {
            return RaiseGp();
        }
        var low = TryWritePointer<S64>(ea);
        if (low == null)
        {
            return false;
        }
        var high = low == _scratch ? TryWritePointerNoScratch((ea + 8) & _linearMask) : TryWritePointer<S64>((ea + 8) & _linearMask);
        if (high == null)
        {
            return false;
        }
        EndWrite<S64>(low, value.GetElement(0));
        EndWrite<S64>(high, value.GetElement(1));
        return true;
    }

    private byte* TryWritePointerNoScratch(ulong linear) => TranslateSlow(linear, Access.Write);

    /// <summary>MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD and MOVNTDQ/MOVNTPS: Condition 0 loads into XMM[R0], 1 stores XMM[R1] to memory.</summary>
    private static bool Move128(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        if (op->Condition == 1)
        {
            return c.WriteMemory128(op, c.GetXmm(op->R1));
        }
        if (!c.ReadSource128(op, out var v))
        {
            return false;
        }
        c.SetXmm(op->R0, v);
        return true;
    }

    /// <summary>
    /// MOVD/MOVQ between XMM and GPR or memory, and MOVQ xmm, xmm/m64 (Size = 4 or 8 bytes). Condition 0:
    /// XMM[R0] = zero-extended source (R1 GPR, R1 XMM when Extra bit 2, or memory); 1: destination (R0 GPR
    /// or memory) = low bits of XMM[R1].
    /// </summary>
    private static bool MoveScalarInteger(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        var mask = op->Size == 8 ? ulong.MaxValue : 0xFFFFFFFFUL;
        if (op->Condition == 0)
        {
            ulong v;
            if ((op->Extra & 1) != 0)
            {
                if (!(op->Size == 8 ? c.TryRead<S64>(c.Ea(op), out v) : c.TryRead<S32>(c.Ea(op), out v)))
                {
                    return false;
                }
            }
            else
            {
                v = (op->Extra & 4) != 0 ? c._xmm[2 * op->R1] : c._g[op->R1];
            }
            c._xmm[2 * op->R0] = v & mask;
            c._xmm[(2 * op->R0) + 1] = 0;
            return true;
        }
        var low = c._xmm[2 * op->R1] & mask;
        if ((op->Extra & 1) != 0)
        {
            return op->Size == 8 ? c.TryWrite<S64>(c.Ea(op), low) : c.TryWrite<S32>(c.Ea(op), low);
        }
        c._g[op->R0] = low;
        return true;
    }

    private enum PackedOp : byte
    {
        Xor,
        Or,
        And,
        AndNot,
    }

    /// <summary>The bitwise logic of the float forms (XORPS/ORPS/ANDPS/ANDNPS and the PD forms): XMM[R0] = XMM[R0] op source (Condition = <see cref="PackedOp"/>).</summary>
    private static bool Packed(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadSource128(op, out var b))
        {
            return false;
        }
        var a = c.GetXmm(op->R0);
        var r = (PackedOp)op->Condition switch
        {
            PackedOp.Xor => a ^ b,
            PackedOp.Or => a | b,
            PackedOp.And => a & b,
            _ => ~a & b,
        };
        c.SetXmm(op->R0, r);
        return true;
    }

    /// <summary>PMOVMSKB r32, xmm: the sign bits of the 16 bytes.</summary>
    private static bool MoveMaskBytes(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        c._g[op->R0] = Vector128.ExtractMostSignificantBits(c.GetXmm(op->R1).AsByte());
        return true;
    }

    /// <summary>LDMXCSR (Condition 0) and STMXCSR (1).</summary>
    private static bool MxcsrAccess(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable())
        {
            return false;
        }
        if (op->Condition == 1)
        {
            return c.TryWrite<S32>(c.Ea(op), c._mxcsr);
        }
        if (!c.TryRead<S32>(c.Ea(op), out var v))
        {
            return false;
        }
        if ((v & 0xFFFF0000) != 0)
        {
            return c.RaiseGp();
        }
        c._mxcsr = (uint)v;
        return true;
    }

    /// <summary>FXSAVE (Condition 0) and FXRSTOR (1) of the 512-byte area: x87 control, status and abridged tag words and ST0-7, MXCSR, XMM0-15 (the x87 instruction and operand pointers are saved as zero).</summary>
    private static bool FxSaveRestore(X86Cpu c, DecodedOp* op)
    {
        if ((c._cr0 & (Cr0Em | Cr0Ts)) != 0)
        {
            return (c._cr0 & Cr0Em) != 0 ? c.RaiseUd() : c.RaiseFault(ExceptionVector.DeviceNotAvailable, 0);
        }
        var ea = c.Ea(op);
        if ((ea & 15) != 0)
        {
            return c.RaiseGp();
        }
        if (c.TranslateSlow(ea, op->Condition == 0 ? Access.Write : Access.Read) == null || c.TranslateSlow((ea + 511) & c._linearMask, op->Condition == 0 ? Access.Write : Access.Read) == null)
        {
            return false;
        }
        if (op->Condition == 0)
        {
            var ok = c.TryWrite<S16>(ea, c._fpuControl) && c.TryWrite<S16>(ea + 2, c.FpuStatusWord) && c.TryWrite<S16>(ea + 4, c.AbridgedTagWord())
                && c.TryWrite<S32>(ea + 24, c._mxcsr) && c.TryWrite<S32>(ea + 28, 0xFFFF);
            for (var i = 0; ok && i < 8; i++)
            {
                var st = c._fpr[(c._fpuTop + i) & 7];
                ok = c.TryWrite<S64>(ea + 32 + (ulong)(16 * i), st.Mantissa) && c.TryWrite<S16>(ea + 40 + (ulong)(16 * i), st.SignExponent);
            }
            for (var i = 0; ok && i < 16; i++)
            {
                ok = c.TryWrite<S64>(ea + 160 + (ulong)(16 * i), c._xmm[2 * i]) && c.TryWrite<S64>(ea + 168 + (ulong)(16 * i), c._xmm[(2 * i) + 1]);
            }
            return ok;
        }
        if (!c.TryRead<S32>(ea + 24, out var mxcsr) || !c.TryRead<S16>(ea, out var fcw) || !c.TryRead<S16>(ea + 2, out var fsw) || !c.TryRead<S16>(ea + 4, out var ftw))
        {
            return false;
        }
        if ((mxcsr & 0xFFFF0000) != 0)
        {
            return c.RaiseGp();
        }
        var registers = stackalloc ulong[16];
        for (var i = 0; i < 8; i++)
        {
            if (!c.TryRead<S64>(ea + 32 + (ulong)(16 * i), out registers[2 * i]) || !c.TryRead<S16>(ea + 40 + (ulong)(16 * i), out registers[(2 * i) + 1]))
            {
                return false;
            }
        }
        var values = stackalloc ulong[32];
        for (var i = 0; i < 32; i++)
        {
            if (!c.TryRead<S64>(ea + 160 + (ulong)(8 * i), out values[i]))
            {
                return false;
            }
        }
        for (var i = 0; i < 32; i++)
        {
            c._xmm[i] = values[i];
        }
        c._mxcsr = (uint)mxcsr;
        c._fpuControl = (ushort)fcw;
        c._fpuStatus = (ushort)fsw;
        c._fpuTop = (int)(fsw >> 11) & 7;
        c._fpuValid = (byte)ftw;
        for (var i = 0; i < 8; i++)
        {
            c._fpr[(c._fpuTop + i) & 7] = new Extended80(registers[2 * i], (ushort)registers[(2 * i) + 1]);
        }
        return true;
    }

    private Handler SelectSse(in Instruction ins, DecodedOp* op)
    {
        var integer = SelectSseInteger(in ins, op);
        if (integer != null)
        {
            return integer;
        }
        var memoryAt = -1;
        for (var i = 0; i < ins.OpCount; i++)
        {
            if (ins.GetOpKind(i) == OpKind.Memory)
            {
                memoryAt = i;
            }
        }
        var loadMemory = memoryAt == 1;
        byte MemoryFlags(bool aligned) => (byte)((loadMemory ? 1 : 0) | (aligned && loadMemory ? 2 : 0));
        switch (ins.Mnemonic)
        {
            case Mnemonic.Movdqa:
            case Mnemonic.Movdqu:
            case Mnemonic.Movaps:
            case Mnemonic.Movups:
            case Mnemonic.Movapd:
            case Mnemonic.Movupd:
            case Mnemonic.Movntdq:
            case Mnemonic.Movntps:
            case Mnemonic.Movntpd:
                if (ins.Op0Kind == OpKind.Register && !ins.Op0Register.IsXMM())
                {
                    return null;
                }
                var aligned = ins.Mnemonic is Mnemonic.Movdqa or Mnemonic.Movaps or Mnemonic.Movapd or Mnemonic.Movntdq or Mnemonic.Movntps or Mnemonic.Movntpd;
                op->Condition = (byte)(memoryAt == 0 ? 1 : 0);
                op->Extra = (byte)((memoryAt >= 0 ? 1 : 0) | (aligned ? 2 : 0));
                return &Move128;
            case Mnemonic.Movd:
            case Mnemonic.Movq:
                if (ins.Op0Register.IsMM() || ins.Op1Register.IsMM())
                {
                    return null;
                }
                op->Size = (byte)(ins.Mnemonic == Mnemonic.Movd ? 4 : 8);
                var toXmm = ins.Op0Kind == OpKind.Register && ins.Op0Register.IsXMM();
                op->Condition = (byte)(toXmm ? 0 : 1);
                op->Extra = (byte)((memoryAt >= 0 ? 1 : 0) | (toXmm && ins.Op1Kind == OpKind.Register && ins.Op1Register.IsXMM() ? 4 : 0));
                return &MoveScalarInteger;
            case Mnemonic.Xorps:
            case Mnemonic.Xorpd:
            case Mnemonic.Orps:
            case Mnemonic.Orpd:
            case Mnemonic.Andps:
            case Mnemonic.Andpd:
            case Mnemonic.Andnps:
            case Mnemonic.Andnpd:
                if (!ins.Op0Register.IsXMM())
                {
                    return null;
                }
                op->Condition = (byte)(ins.Mnemonic switch
                {
                    Mnemonic.Xorps or Mnemonic.Xorpd => PackedOp.Xor,
                    Mnemonic.Orps or Mnemonic.Orpd => PackedOp.Or,
                    Mnemonic.Andps or Mnemonic.Andpd => PackedOp.And,
                    _ => PackedOp.AndNot,
                });
                op->Extra = MemoryFlags(aligned: true);
                return &Packed;
            case Mnemonic.Ldmxcsr:
            case Mnemonic.Stmxcsr:
                op->Condition = (byte)(ins.Mnemonic == Mnemonic.Ldmxcsr ? 0 : 1);
                return &MxcsrAccess;
            case Mnemonic.Fxsave:
            case Mnemonic.Fxsave64:
            case Mnemonic.Fxrstor:
            case Mnemonic.Fxrstor64:
                op->Condition = (byte)(ins.Mnemonic is Mnemonic.Fxsave or Mnemonic.Fxsave64 ? 0 : 1);
                return &FxSaveRestore;
            default:
                return SelectSseFloat(in ins, op);
        }
    }
}
