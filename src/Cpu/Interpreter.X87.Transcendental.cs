namespace ActorVisor.Cpu;

/// <summary>
/// The x87 transcendental and scaling instructions: FSIN, FCOS, FSINCOS, FPTAN (arguments reduced by the
/// processor's 66-bit pi; |x| ≥ 2^63 sets C2 and leaves the stack alone), FPATAN, F2XM1, FYL2X,
/// FYL2XP1, FSCALE and FXTRACT. Results come from <see cref="Extended80"/>'s wide evaluation and are
/// rounded once to 64 bits with the rounding control (precision control does not apply to these
/// instructions on the processor either); C1 says whether the rounding went up. Zeros, infinities and
/// NaNs follow the manuals' tables.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static bool IsTranscendental(Iced.Intel.Mnemonic m) => m is Iced.Intel.Mnemonic.Fsin or Iced.Intel.Mnemonic.Fcos
        or Iced.Intel.Mnemonic.Fsincos or Iced.Intel.Mnemonic.Fptan or Iced.Intel.Mnemonic.Fpatan or Iced.Intel.Mnemonic.F2xm1
        or Iced.Intel.Mnemonic.Fyl2x or Iced.Intel.Mnemonic.Fyl2xp1 or Iced.Intel.Mnemonic.Fscale or Iced.Intel.Mnemonic.Fxtract;

    private bool ExecuteTranscendental(Iced.Intel.Mnemonic mnemonic)
    {
        switch (mnemonic)
        {
            case Iced.Intel.Mnemonic.Fsin:
            case Iced.Intel.Mnemonic.Fcos:
            case Iced.Intel.Mnemonic.Fsincos:
            case Iced.Intel.Mnemonic.Fptan:
                Trigonometric(mnemonic);
                return true;
            case Iced.Intel.Mnemonic.Fpatan:
                BinaryThenPop(Arctangent);
                return true;
            case Iced.Intel.Mnemonic.Fyl2x:
                BinaryThenPop(TimesLog2);
                return true;
            case Iced.Intel.Mnemonic.Fyl2xp1:
                BinaryThenPop(TimesLog2OnePlus);
                return true;
            case Iced.Intel.Mnemonic.F2xm1:
                TwoToXMinusOne();
                return true;
            case Iced.Intel.Mnemonic.Fscale:
                Scale();
                return true;
            default:
                Extract();
                return true;
        }
    }

    /// <summary>FSIN, FCOS, FSINCOS (ST0 = sin, then push cos) and FPTAN (ST0 = tan, then push 1).</summary>
    private void Trigonometric(Iced.Intel.Mnemonic mnemonic)
    {
        var x = St(0);
        _fpuStatus &= unchecked((ushort)~(FpuC1 | FpuC2));
        var pushes = mnemonic is Iced.Intel.Mnemonic.Fsincos or Iced.Intel.Mnemonic.Fptan;
        var raised = FpuExceptions.None;
        Extended80 first;
        Extended80 second;
        var up = false;
        if (x.IsNaN || x.IsInfinity || x.IsUnsupported)
        {
            raised = x.IsSignalingNaN || !x.IsNaN ? FpuExceptions.Invalid : FpuExceptions.None;
            first = second = x.IsNaN ? x.Quieted() : Extended80.Indefinite;
        }
        else if (x.IsZero)
        {
            first = mnemonic == Iced.Intel.Mnemonic.Fcos ? One : x;
            second = One;
        }
        else if (x.NormalizedExponent >= 63)
        {
            _fpuStatus |= FpuC2;
            return;
        }
        else
        {
            raised = DenormalOperand(x);
            var rounding = RoundingControl;
            if (mnemonic == Iced.Intel.Mnemonic.Fptan)
            {
                first = Extended80.Tangent(x, rounding, out up, ref raised);
                second = One;
            }
            else
            {
                Extended80.SineCosine(x, rounding, mnemonic != Iced.Intel.Mnemonic.Fcos, mnemonic != Iced.Intel.Mnemonic.Fsin, out var sine, out var sineUp, out var cosine, out var cosineUp, ref raised);
                (first, up) = mnemonic == Iced.Intel.Mnemonic.Fcos ? (cosine, cosineUp) : (sine, sineUp);
                second = cosine;
                if (mnemonic == Iced.Intel.Mnemonic.Fsincos)
                {
                    up = cosineUp;
                }
            }
        }
        Signal(raised);
        if (Suppresses(raised))
        {
            return;
        }
        SetSt(0, first);
        if (pushes)
        {
            Push(second);
        }
        SetC1(up);
    }

    private static readonly Extended80 One = new(1UL << 63, 0x3FFF);

    private delegate Extended80 BinaryFunction(Extended80 st0, Extended80 st1, out bool roundedUp, ref FpuExceptions raised);

    /// <summary>FPATAN, FYL2X, FYL2XP1: ST1 = f(ST0, ST1), then pop.</summary>
    private void BinaryThenPop(BinaryFunction function)
    {
        var x = St(0);
        var y = St(1);
        var raised = FpuExceptions.None;
        var up = false;
        Extended80 result;
        if (x.IsNaN || y.IsNaN)
        {
            raised = x.IsSignalingNaN || y.IsSignalingNaN ? FpuExceptions.Invalid : FpuExceptions.None;
            result = NanResult(x, y);
        }
        else if (x.IsUnsupported || y.IsUnsupported)
        {
            raised = FpuExceptions.Invalid;
            result = Extended80.Indefinite;
        }
        else
        {
            raised = DenormalOperand(x) | DenormalOperand(y);
            result = function(x, y, out up, ref raised);
        }
        Signal(raised);
        if (Suppresses(raised))
        {
            return;
        }
        SetC1(up);
        SetSt(1, result);
        Pop();
    }

    /// <summary>FPATAN: atan2(ST1, ST0), with the zero and infinity cases of the manuals' table.</summary>
    private Extended80 Arctangent(Extended80 x, Extended80 y, out bool roundedUp, ref FpuExceptions raised)
    {
        var rounding = RoundingControl;
        roundedUp = false;
        if (y.IsZero)
        {
            return x.Sign ? Extended80.PiQuarters(4, y.Sign, rounding, out roundedUp, ref raised) : y;
        }
        if (y.IsInfinity)
        {
            var quarters = x.IsInfinity ? (x.Sign ? 3 : 1) : 2;
            return Extended80.PiQuarters(quarters, y.Sign, rounding, out roundedUp, ref raised);
        }
        if (x.IsZero)
        {
            return Extended80.PiQuarters(2, y.Sign, rounding, out roundedUp, ref raised);
        }
        if (x.IsInfinity)
        {
            return x.Sign ? Extended80.PiQuarters(4, y.Sign, rounding, out roundedUp, ref raised) : new Extended80(0, (ushort)(y.Sign ? 0x8000 : 0));
        }
        return Extended80.Arctangent(y, x, rounding, out roundedUp, ref raised);
    }

    /// <summary>FYL2X: ST1 × log2 ST0; special cases go through the exact product with log2 0 = -inf, log2 inf = inf, log2 2^k = k.</summary>
    private Extended80 TimesLog2(Extended80 x, Extended80 y, out bool roundedUp, ref FpuExceptions raised)
    {
        roundedUp = false;
        if (x.Sign && !x.IsZero)
        {
            raised |= FpuExceptions.Invalid;
            return Extended80.Indefinite;
        }
        Extended80 log;
        if (x.IsZero)
        {
            if (!y.IsZero && !y.IsInfinity)
            {
                raised |= FpuExceptions.ZeroDivide;
            }
            log = new Extended80(1UL << 63, 0xFFFF);
        }
        else if (x.IsInfinity)
        {
            log = x;
        }
        else if (x.IsPowerOfTwo)
        {
            // The processor evaluates the logarithm even here and reports PE for a finite nonzero product, although it is exact.
            if (x.NormalizedExponent != 0 && !y.IsZero && !y.IsInfinity)
            {
                raised |= FpuExceptions.Precision;
            }
            log = Extended80.FromInt64(x.NormalizedExponent);
        }
        else if (y.IsZero || y.IsInfinity)
        {
            log = x.NormalizedExponent < 0 ? One.Negate() : One;
        }
        else
        {
            return Extended80.TimesLog2(y, x, RoundingControl, out roundedUp, ref raised);
        }
        return Extended80.Multiply(y, log, 64, RoundingControl, out roundedUp, ref raised);
    }

    /// <summary>FYL2XP1: ST1 × log2(ST0 + 1), 1 + ST0 taken exactly.</summary>
    private Extended80 TimesLog2OnePlus(Extended80 x, Extended80 y, out bool roundedUp, ref FpuExceptions raised)
    {
        roundedUp = false;
        if (x.IsZero || y.IsZero || y.IsInfinity)
        {
            if (x.IsInfinity && x.Sign)
            {
                raised |= FpuExceptions.Invalid;
                return Extended80.Indefinite;
            }
            var sign = x.IsZero || x.IsInfinity ? x : x.Sign ? One.Negate() : One;
            return Extended80.Multiply(y, sign, 64, RoundingControl, out roundedUp, ref raised);
        }
        if (x.IsInfinity)
        {
            if (x.Sign)
            {
                raised |= FpuExceptions.Invalid;
                return Extended80.Indefinite;
            }
            return Extended80.Multiply(y, x, 64, RoundingControl, out roundedUp, ref raised);
        }
        return Extended80.TimesLog2OnePlus(y, x, RoundingControl, out roundedUp, ref raised);
    }

    /// <summary>F2XM1: ST0 = 2^ST0 - 1 (-inf gives -1, +inf stays).</summary>
    private void TwoToXMinusOne()
    {
        var x = St(0);
        var raised = FpuExceptions.None;
        var up = false;
        Extended80 result;
        if (x.IsNaN)
        {
            raised = x.IsSignalingNaN ? FpuExceptions.Invalid : FpuExceptions.None;
            result = x.Quieted();
        }
        else if (x.IsUnsupported)
        {
            raised = FpuExceptions.Invalid;
            result = Extended80.Indefinite;
        }
        else if (x.IsZero || (x.IsInfinity && !x.Sign))
        {
            result = x;
        }
        else if (x.IsInfinity)
        {
            result = One.Negate();
        }
        else
        {
            raised = DenormalOperand(x);
            result = Extended80.TwoToXMinusOne(x, RoundingControl, out up, ref raised);
        }
        Signal(raised);
        if (Suppresses(raised))
        {
            return;
        }
        SetC1(up);
        SetSt(0, result);
    }

    /// <summary>FSCALE: ST0 × 2^trunc(ST1).</summary>
    private void Scale()
    {
        var x = St(0);
        var y = St(1);
        var raised = FpuExceptions.None;
        var up = false;
        Extended80 result;
        if (x.IsNaN || y.IsNaN)
        {
            raised = x.IsSignalingNaN || y.IsSignalingNaN ? FpuExceptions.Invalid : FpuExceptions.None;
            result = NanResult(x, y);
        }
        else if (x.IsUnsupported || y.IsUnsupported)
        {
            raised = FpuExceptions.Invalid;
            result = Extended80.Indefinite;
        }
        else if (y.IsInfinity)
        {
            raised = DenormalOperand(x);
            if ((x.IsZero && !y.Sign) || (x.IsInfinity && y.Sign))
            {
                raised |= FpuExceptions.Invalid;
                result = Extended80.Indefinite;
            }
            else
            {
                result = x.IsZero || x.IsInfinity ? x : y.Sign ? new Extended80(0, (ushort)(x.SignExponent & 0x8000)) : new Extended80(1UL << 63, (ushort)(x.SignExponent | 0x7FFF));
            }
        }
        else
        {
            raised = DenormalOperand(x) | DenormalOperand(y);
            if (x.IsZero || x.IsInfinity)
            {
                result = x;
            }
            else
            {
                var power = y.IsZero ? 0 : y.NormalizedExponent >= 20 ? (y.Sign ? -(1 << 20) : 1 << 20) : (int)(y.ToIntegerTruncated());
                result = Extended80.Scale(x, power, RoundingControl, out up, ref raised);
            }
        }
        Signal(raised);
        if (Suppresses(raised))
        {
            return;
        }
        SetC1(up);
        SetSt(0, result);
    }

    /// <summary>FXTRACT: ST0 = exponent of ST0 as a value, then push its significand (zero gives -inf and ZE).</summary>
    private void Extract()
    {
        var x = St(0);
        var raised = FpuExceptions.None;
        Extended80 exponent;
        Extended80 significand;
        if (x.IsNaN || x.IsUnsupported)
        {
            raised = x.IsSignalingNaN || x.IsUnsupported ? FpuExceptions.Invalid : FpuExceptions.None;
            exponent = significand = x.IsNaN ? x.Quieted() : Extended80.Indefinite;
        }
        else if (x.IsZero)
        {
            raised = FpuExceptions.ZeroDivide;
            exponent = new Extended80(1UL << 63, 0xFFFF);
            significand = x;
        }
        else if (x.IsInfinity)
        {
            exponent = x.Abs();
            significand = x;
        }
        else
        {
            raised = DenormalOperand(x);
            exponent = Extended80.FromInt64(x.NormalizedExponent);
            significand = x.Significand;
        }
        Signal(raised);
        if (Suppresses(raised))
        {
            return;
        }
        _fpuStatus &= unchecked((ushort)~FpuC1);
        SetSt(0, exponent);
        Push(significand);
    }
}
