using System.Numerics;

namespace ActorVisor.Cpu;

/// <summary>
/// Software extended-precision arithmetic: add, subtract, multiply, divide and square root of finite,
/// infinite and zero operands, each computed exactly (with a sticky bit) and rounded once to the
/// precision-control width (24, 53 or 64 significand bits) with the rounding control, over the 15-bit
/// exponent range including denormals. NaN operands are the caller's business. <c>roundedUp</c> reports
/// whether rounding increased the magnitude (the x87's C1); <c>raised</c> collects the exception
/// conditions met (invalid with the indefinite as result, divide by zero, overflow, underflow, precision).
/// </summary>
internal readonly partial record struct Extended80
{
    private const int MinExponent = 1 - Bias;

    /// <summary>Splits a nonzero finite value into sign, unbiased exponent and a significand with bit 63 set.</summary>
    private (bool Sign, int Exponent, ulong Significand) Unpack()
    {
        var leading = BitOperations.LeadingZeroCount(Mantissa);
        return (Sign, (Exponent == 0 ? 1 : Exponent) - Bias - leading, Mantissa << leading);
    }

    /// <summary>A pseudo-denormal (exponent 0 with the integer bit) as the equal normal value with exponent 1; anything else unchanged.</summary>
    public Extended80 Normalized() => Exponent == 0 && (Mantissa >> 63) != 0 ? new(Mantissa, (ushort)(SignExponent | 1)) : this;

    private static Extended80 SignedZero(bool negative) => new(0, (ushort)(negative ? 0x8000 : 0));

    private static Extended80 SignedInfinity(bool negative) => new(1UL << 63, (ushort)(negative ? 0xFFFF : 0x7FFF));

    /// <summary>
    /// Rounds sign × significand / 2^127 × 2^exponent (significand nonzero, sticky = lost bits below it),
    /// adding to <paramref name="raised"/> precision (inexact), overflow, and underflow (tiny after
    /// rounding and inexact, the masked-response rule).
    /// </summary>
    private static Extended80 Round(bool negative, int exponent, UInt128 significand, bool sticky, int precision, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var leading = (int)UInt128.LeadingZeroCount(significand);
        significand <<= leading;
        exponent -= leading;
        var extra = exponent < MinExponent ? MinExponent - exponent : 0;
        var kept = RoundBits(significand, 128 - precision + extra, sticky, negative, rounding, out var up, out var inexact);
        roundedUp = up;
        if (inexact)
        {
            raised |= FpuExceptions.Precision;
        }
        if (extra > 0)
        {
            var tiny = extra > 1 || (RoundBits(significand, 128 - precision, sticky, negative, rounding, out _, out _) >> precision) == 0;
            if (tiny && inexact)
            {
                raised |= FpuExceptions.Underflow;
            }
            var mantissa = (ulong)kept << (64 - precision);
            var biased = (mantissa >> 63) != 0 ? 1 : 0;
            return new(mantissa, (ushort)((negative ? 0x8000 : 0) | biased));
        }
        if ((kept >> precision) != 0)
        {
            kept >>= 1;
            exponent++;
        }
        if (exponent > Bias)
        {
            var toInfinity = rounding == 0 || (rounding == 1 && negative) || (rounding == 2 && !negative);
            roundedUp = toInfinity;
            raised |= FpuExceptions.Overflow | FpuExceptions.Precision;
            return toInfinity ? SignedInfinity(negative) : new(ulong.MaxValue << (64 - precision), (ushort)((negative ? 0x8000 : 0) | 0x7FFE));
        }
        return new((ulong)kept << (64 - precision), (ushort)((negative ? 0x8000 : 0) | (exponent + Bias)));
    }

    /// <summary>Shifts a left-aligned significand right by <paramref name="shift"/> bits and rounds the discarded bits (and sticky) with the rounding control.</summary>
    private static UInt128 RoundBits(UInt128 significand, int shift, bool sticky, bool negative, int rounding, out bool up, out bool inexact)
    {
        UInt128 kept;
        bool half;
        bool rest;
        if (shift >= 129)
        {
            kept = 0;
            half = false;
            rest = true;
        }
        else if (shift == 128)
        {
            kept = 0;
            half = (significand >> 127) != 0;
            rest = (significand << 1) != 0 || sticky;
        }
        else
        {
            kept = significand >> shift;
            half = ((significand >> (shift - 1)) & 1) != 0;
            rest = (shift > 1 && (significand << (129 - shift)) != 0) || sticky;
        }
        inexact = half || rest;
        up = rounding switch
        {
            0 => half && (rest || (kept & 1) != 0),
            1 => negative && inexact,
            2 => !negative && inexact,
            _ => false,
        };
        return up ? kept + 1 : kept;
    }

    /// <summary>Rounds a finite nonzero value to the precision (FADD with a zero, for example).</summary>
    private Extended80 RoundTo(int precision, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var (sign, exponent, significand) = Unpack();
        return Round(sign, exponent, (UInt128)significand << 64, false, precision, rounding, out roundedUp, ref raised);
    }

    public static Extended80 Add(Extended80 x, Extended80 y, int precision, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        roundedUp = false;
        if (x.IsInfinity || y.IsInfinity)
        {
            if (x.IsInfinity && y.IsInfinity && x.Sign != y.Sign)
            {
                raised |= FpuExceptions.Invalid;
                return Indefinite;
            }
            return x.IsInfinity ? x : y;
        }
        if (x.IsZero && y.IsZero)
        {
            return SignedZero(x.Sign == y.Sign ? x.Sign : rounding == 1);
        }
        if (x.IsZero || y.IsZero)
        {
            return (x.IsZero ? y : x).RoundTo(precision, rounding, out roundedUp, ref raised);
        }
        var a = x.Unpack();
        var b = y.Unpack();
        if (a.Exponent < b.Exponent || (a.Exponent == b.Exponent && a.Significand < b.Significand))
        {
            (a, b) = (b, a);
        }
        var big = (UInt128)a.Significand << 63;
        var difference = a.Exponent - b.Exponent;
        var small = (UInt128)b.Significand << 63;
        var sticky = false;
        if (difference >= 127)
        {
            small = 0;
            sticky = true;
        }
        else if (difference > 0)
        {
            sticky = (small << (128 - difference)) != 0;
            small >>= difference;
        }
        if (sticky)
        {
            small |= 1;
        }
        if (a.Sign == b.Sign)
        {
            return Round(a.Sign, a.Exponent + 1, big + small, false, precision, rounding, out roundedUp, ref raised);
        }
        var result = big - small;
        if (result == 0)
        {
            return SignedZero(rounding == 1);
        }
        return Round(a.Sign, a.Exponent + 1, result, false, precision, rounding, out roundedUp, ref raised);
    }

    public static Extended80 Multiply(Extended80 x, Extended80 y, int precision, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        roundedUp = false;
        var negative = x.Sign != y.Sign;
        if (x.IsInfinity || y.IsInfinity)
        {
            if (x.IsZero || y.IsZero)
            {
                raised |= FpuExceptions.Invalid;
                return Indefinite;
            }
            return SignedInfinity(negative);
        }
        if (x.IsZero || y.IsZero)
        {
            return SignedZero(negative);
        }
        var a = x.Unpack();
        var b = y.Unpack();
        var product = (UInt128)a.Significand * b.Significand;
        return Round(negative, a.Exponent + b.Exponent + 1, product, false, precision, rounding, out roundedUp, ref raised);
    }

    public static Extended80 Divide(Extended80 x, Extended80 y, int precision, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        roundedUp = false;
        var negative = x.Sign != y.Sign;
        if ((x.IsInfinity && y.IsInfinity) || (x.IsZero && y.IsZero))
        {
            raised |= FpuExceptions.Invalid;
            return Indefinite;
        }
        if (x.IsInfinity)
        {
            return SignedInfinity(negative);
        }
        if (y.IsZero)
        {
            raised |= FpuExceptions.ZeroDivide;
            return SignedInfinity(negative);
        }
        if (x.IsZero || y.IsInfinity)
        {
            return SignedZero(negative);
        }
        var a = x.Unpack();
        var b = y.Unpack();
        var numerator = (UInt128)a.Significand << 64;
        var quotient = numerator / b.Significand;
        var remainder = (numerator - (quotient * b.Significand)) << 1;
        var guard = remainder >= b.Significand;
        if (guard)
        {
            remainder -= b.Significand;
        }
        var significand = (quotient << 1) | (guard ? 1u : 0u);
        return Round(negative, a.Exponent - b.Exponent + 62, significand, remainder != 0, precision, rounding, out roundedUp, ref raised);
    }

    public static Extended80 SquareRoot(Extended80 x, int precision, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        roundedUp = false;
        if (x.IsZero || (x.IsInfinity && !x.Sign))
        {
            return x;
        }
        if (x.Sign)
        {
            raised |= FpuExceptions.Invalid;
            return Indefinite;
        }
        var (_, exponent, significand) = x.Unpack();
        var radicand = (UInt128)significand << ((exponent & 1) == 0 ? 63 : 64);
        var adjusted = (exponent & 1) == 0 ? exponent : exponent - 1;
        UInt128 root = 0;
        UInt128 remainder = 0;
        for (var i = 0; i < 64; i++)
        {
            remainder = (remainder << 2) | (radicand >> 126);
            radicand <<= 2;
            var trial = (root << 2) | 1;
            root <<= 1;
            if (remainder >= trial)
            {
                remainder -= trial;
                root |= 1;
            }
        }
        var guard = remainder > root;
        var significandOut = ((root << 1) | (guard ? 1u : 0u)) << 62;
        return Round(false, (adjusted / 2) + 1, significandOut, remainder != 0, precision, rounding, out roundedUp, ref raised);
    }

    /// <summary>
    /// FPREM (<paramref name="nearest"/> false: truncated quotient) and FPREM1 (quotient rounded to nearest
    /// even) of finite nonzero operands. When the exponents differ by D = 64 or more the step is partial, as
    /// the processor does it: with N = 32 + (D mod 32) the dividend is reduced by the truncated quotient
    /// (dividend / divisor) / 2^(D - N) times divisor × 2^(D - N), so the new difference is a multiple of 32
    /// below D - 31, and <paramref name="complete"/> is false (the caller sets C2; the guest repeats). The
    /// remainder is always exact.
    /// </summary>
    public static Extended80 PartialRemainder(Extended80 x, Extended80 y, bool nearest, out ulong quotient, out bool complete)
    {
        var a = x.Unpack();
        var b = y.Unpack();
        var difference = a.Exponent - b.Exponent;
        quotient = 0;
        complete = difference < 64;
        if (difference < -1 || (difference == -1 && !nearest))
        {
            return x.Normalized();
        }
        UInt128 numerator = a.Significand;
        UInt128 divisor = b.Significand;
        int unit;
        if (!complete)
        {
            var kept = 32 + (difference % 32);
            numerator <<= kept;
            unit = a.Exponent - 63 - kept;
        }
        else if (difference >= 0)
        {
            numerator <<= difference;
            unit = b.Exponent - 63;
        }
        else
        {
            divisor <<= 1;
            unit = a.Exponent - 63;
        }
        var q = numerator / divisor;
        var r = numerator - (q * divisor);
        var negative = a.Sign;
        if (nearest && complete && ((r << 1) > divisor || ((r << 1) == divisor && (q & 1) != 0)))
        {
            q++;
            r = divisor - r;
            negative = !negative;
        }
        quotient = (ulong)q;
        if (r == 0)
        {
            return SignedZero(a.Sign);
        }
        var ignored = FpuExceptions.None;
        return Round(negative, unit + 127, r, false, 64, 0, out _, ref ignored);
    }
}
