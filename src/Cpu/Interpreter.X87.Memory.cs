namespace ActorVisor.Cpu;

/// <summary>x87 memory operands: the m32/m64/m80 floating-point and m16/m32/m64 integer loads and stores.</summary>
public sealed unsafe partial class X86Cpu
{
    /// <summary>
    /// Reads an m32/m64/m80 operand. A signalling NaN from m32/m64 is quieted with IE set for FLD; for an
    /// operand of arithmetic or a compare (<paramref name="keepSignaling"/>) it stays signalling, so the
    /// operation sees it as the processor does.
    /// </summary>
    private bool ReadFloat(DecodedOp* op, out Extended80 value, bool keepSignaling = false)
    {
        value = default;
        var ea = Ea(op);
        switch (op->Size)
        {
            case 4:
                if (!TryRead<S32>(ea, out var single))
                {
                    return false;
                }
                value = Extended80.FromSingle((uint)single);
                if ((single & 0x7F800000) == 0 && (single & 0x7FFFFF) != 0)
                {
                    Signal(FpuExceptions.Denormal);
                }
                if ((single & 0x7FC00000) == 0x7F800000 && (single & 0x3FFFFF) != 0)
                {
                    if (keepSignaling)
                    {
                        value = new Extended80(value.Mantissa & ~(1UL << 62), value.SignExponent);
                    }
                    else
                    {
                        _fpuStatus |= FpuIe;
                    }
                }
                break;
            case 8:
                if (!TryRead<S64>(ea, out var dbl))
                {
                    return false;
                }
                value = Extended80.FromDouble(BitConverter.UInt64BitsToDouble(dbl));
                if ((dbl & 0x7FF0000000000000) == 0 && (dbl & 0xFFFFFFFFFFFFF) != 0)
                {
                    Signal(FpuExceptions.Denormal);
                }
                if ((dbl & 0x7FF8000000000000) == 0x7FF0000000000000 && (dbl & 0x7FFFFFFFFFFFF) != 0)
                {
                    if (keepSignaling)
                    {
                        value = new Extended80(value.Mantissa & ~(1UL << 62), value.SignExponent);
                    }
                    else
                    {
                        _fpuStatus |= FpuIe;
                    }
                }
                break;
            default:
                if (!TryRead<S64>(ea, out var mantissa) || !TryRead<S16>((ea + 8) & _linearMask, out var se))
                {
                    return false;
                }
                value = new Extended80(mantissa, (ushort)se);
                break;
        }
        return true;
    }

    private bool WriteFloat(DecodedOp* op, Extended80 value)
    {
        var ea = Ea(op);
        var raised = FpuExceptions.None;
        if (op->Size == 4)
        {
            var single = value.ToSingleBits(RoundingControl, ref raised);
            Signal(raised);
            SetRoundedUp(value, Extended80.FromSingle(single));
            return TryWrite<S32>(ea, single);
        }
        if (op->Size == 8)
        {
            var dbl = value.ToDouble(RoundingControl, ref raised);
            Signal(raised);
            SetRoundedUp(value, Extended80.FromDouble(dbl));
            return TryWrite<S64>(ea, BitConverter.DoubleToUInt64Bits(dbl));
        }
        return op->Size switch
        {
            _ => TranslateSlow((ea + 9) & _linearMask, Access.Write) != null && TryWrite<S64>(ea, value.Mantissa) && TryWrite<S16>((ea + 8) & _linearMask, value.SignExponent),
        };
    }

    private bool ReadInteger(DecodedOp* op, out long value)
    {
        value = 0;
        var ea = Ea(op);
        ulong raw;
        var ok = op->Size switch
        {
            2 => TryRead<S16>(ea, out raw),
            4 => TryRead<S32>(ea, out raw),
            _ => TryRead<S64>(ea, out raw),
        };
        value = op->Size switch
        {
            2 => (short)raw,
            4 => (int)raw,
            _ => (long)raw,
        };
        return ok;
    }

    /// <summary>Stores an integer of the operand's size; null stores the integer indefinite (the most negative value).</summary>
    private bool WriteInteger(DecodedOp* op, long? value)
    {
        var ea = Ea(op);
        return op->Size switch
        {
            2 => TryWrite<S16>(ea, value.HasValue ? (ulong)value.Value : 0x8000),
            4 => TryWrite<S32>(ea, value.HasValue ? (ulong)value.Value : 0x80000000),
            _ => TryWrite<S64>(ea, value.HasValue ? (ulong)value.Value : 0x8000000000000000),
        };
    }
}
