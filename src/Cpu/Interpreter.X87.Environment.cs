using Iced.Intel;

namespace ActorVisor.Cpu;

/// <summary>
/// The x87 environment and saved state: FNSTENV/FLDENV and FNSAVE/FRSTOR, with the last non-control
/// instruction's offset, opcode and memory-operand offset recorded as each x87 instruction completes.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    /// <summary>FIP (offset of the instruction), FOP (its 11-bit opcode: low 3 bits of the escape byte, then ModRM) and FDP (offset of its memory operand).</summary>
    private ulong _fpuIp;
    private ulong _fpuDp;
    private ushort _fpuOpcode;

    private void RecordLastInstruction(DecodedOp* op)
    {
        _fpuIp = op->Rip;
        if ((op->Extra & 1) != 0)
        {
            var g = _g;
            _fpuDp = (op->Displacement + g[op->Base] + (g[op->Index] << op->Scale)) & op->AddressMask;
        }
        var linear = (op->Rip + _segBase[1]) & _linearMask;
        var code = TranslateSlow(linear, Access.Execute);
        if (code == null || (linear & 0xFFF) > (ulong)(0x1000 - op->Length))
        {
            // An instruction that crosses a page: the opcode is then not recorded.
            _faultPending = false;
            return;
        }
        for (var i = 0; i + 1 < op->Length; i++)
        {
            if (code[i] is >= 0xD8 and <= 0xDF)
            {
                _fpuOpcode = (ushort)(((code[i] & 7) << 8) | code[i + 1]);
                return;
            }
        }
    }


    /// <summary>
    /// FNSTENV/FLDENV in the protected-mode layout (28 bytes, or 14 with a 16-bit operand size): control,
    /// status and full tag words, the last instruction's offset (FIP), opcode (FOP, 32-bit layout only) and
    /// operand offset (FDP); the code and data selectors (FCS, FDS) are stored as zero, as processors that
    /// deprecate them do.
    /// FNSTENV then masks all exceptions, as the processor does.
    /// </summary>
    private bool FpuEnvironment(DecodedOp* op, bool store)
    {
        var ea = Ea(op);
        var stride = op->Size is 14 or 94 ? 2UL : 4UL;
        if (store)
        {
            var ok = true;
            for (var i = 0UL; ok && i < 7; i++)
            {
                ulong word = i switch { 0 => _fpuControl, 1 => FpuStatusWord, 2 => FullTagWord(), 3 => (uint)_fpuIp, 4 => stride == 2 ? 0UL : (ulong)_fpuOpcode << 16, 5 => (uint)_fpuDp, _ => 0UL };
                var reserved = i is 3 or 4 or 5 ? 0UL : 0xFFFF0000UL;
                ok = stride == 2 ? TryWrite<S16>((ea + (2 * i)) & _linearMask, word & 0xFFFF) : TryWrite<S32>((ea + (4 * i)) & _linearMask, word | reserved);
            }
            if (ok)
            {
                _fpuControl |= 0x3F;
            }
            return ok;
        }
        if (!TryRead<S16>(ea, out var cw) || !TryRead<S16>((ea + stride) & _linearMask, out var sw) || !TryRead<S16>((ea + (2 * stride)) & _linearMask, out var tw)
            || !TryRead<S32>((ea + (3 * stride)) & _linearMask, out var ip) || !TryRead<S32>((ea + (4 * stride)) & _linearMask, out var selectorAndOpcode)
            || !TryRead<S32>((ea + (5 * stride)) & _linearMask, out var dp))
        {
            return false;
        }
        _fpuIp = stride == 2 ? ip & 0xFFFF : ip;
        _fpuOpcode = stride == 2 ? _fpuOpcode : (ushort)((selectorAndOpcode >> 16) & 0x7FF);
        _fpuDp = stride == 2 ? dp & 0xFFFF : dp;
        _fpuControl = (ushort)(cw | 0x40);
        _fpuStatus = (ushort)sw;
        _fpuTop = (int)(sw >> 11) & 7;
        _fpuValid = 0;
        for (var p = 0; p < 8; p++)
        {
            if (((tw >> (2 * p)) & 3) != 3)
            {
                _fpuValid |= (byte)(1 << p);
            }
        }
        return true;
    }

    /// <summary>
    /// FNSAVE/FRSTOR: the environment (28 bytes, or 14 with a 16-bit operand size) followed by ST0-ST7 as
    /// 80-bit values. FNSAVE then initializes the FPU as FNINIT does. Nothing is changed unless the whole
    /// area is accessible.
    /// </summary>
    private bool FpuState(DecodedOp* op, bool save)
    {
        var ea = Ea(op);
        var environment = op->Size == 94 ? 14UL : 28UL;
        if (TranslateSlow(ea, save ? Access.Write : Access.Read) == null || TranslateSlow((ea + environment + 79) & _linearMask, save ? Access.Write : Access.Read) == null)
        {
            return false;
        }
        if (save)
        {
            for (var i = 0; i < 8; i++)
            {
                var v = _fpr[(_fpuTop + i) & 7];
                var at = (ea + environment + (ulong)(10 * i)) & _linearMask;
                if (!TryWrite<S64>(at, v.Mantissa) || !TryWrite<S16>((at + 8) & _linearMask, v.SignExponent))
                {
                    return false;
                }
            }
            var control = _fpuControl;
            if (!FpuEnvironment(op, store: true))
            {
                return false;
            }
            _fpuControl = control;
            FpuInit();
            return true;
        }
        var registers = new Extended80[8];
        for (var i = 0; i < 8; i++)
        {
            var at = (ea + environment + (ulong)(10 * i)) & _linearMask;
            if (!TryRead<S64>(at, out var mantissa) || !TryRead<S16>((at + 8) & _linearMask, out var se))
            {
                return false;
            }
            registers[i] = new Extended80(mantissa, (ushort)se);
        }
        if (!FpuEnvironment(op, store: false))
        {
            return false;
        }
        for (var i = 0; i < 8; i++)
        {
            _fpr[(_fpuTop + i) & 7] = registers[i];
        }
        return true;
    }
}
