using System.Numerics;

namespace ActorVisor.Cpu;

/// <summary>
/// An x87 80-bit extended-precision value as the FPU holds it: a 64-bit significand with an explicit
/// integer bit and a 16-bit sign-and-exponent word (bias 16383). Conversions to and from the memory
/// formats are exact where the target can hold the value and otherwise round as the x87 does, under the
/// given rounding control (0 nearest-even, 1 down, 2 up, 3 toward zero).
/// </summary>
internal readonly partial record struct Extended80(ulong Mantissa, ushort SignExponent)
{
    public const int Bias = 16383;

    /// <summary>The "real indefinite" QNaN the FPU returns for a masked invalid operation.</summary>
    public static readonly Extended80 Indefinite = new(0xC000000000000000, 0xFFFF);
    public static readonly Extended80 Zero = new(0, 0);

    public bool Sign => (SignExponent & 0x8000) != 0;
    public int Exponent => SignExponent & 0x7FFF;
    public bool IsNaN => Exponent == 0x7FFF && (Mantissa << 1) != 0;
    public bool IsSignalingNaN => IsNaN && (Mantissa & (1UL << 62)) == 0;
    public bool IsInfinity => Exponent == 0x7FFF && (Mantissa << 1) == 0;
    public bool IsZero => Mantissa == 0 && Exponent == 0;

    /// <summary>An exponent other than 0 or 0x7FFF without the integer bit (unnormal), or 0x7FFF without it (pseudo-NaN/infinity).</summary>
    public bool IsUnsupported => Exponent != 0 && (Mantissa & (1UL << 63)) == 0;
    public bool IsDenormal => Exponent == 0 && Mantissa != 0;

    public Extended80 Negate() => new(Mantissa, (ushort)(SignExponent ^ 0x8000));

    public Extended80 Abs() => new(Mantissa, (ushort)(SignExponent & 0x7FFF));

    public Extended80 Quieted() => IsNaN ? new(Mantissa | (1UL << 62), SignExponent) : this;

    /// <summary>Exact conversion from a double; a signalling NaN is quieted as FLD m64 does.</summary>
    public static Extended80 FromDouble(double value) => FromBinary(BitConverter.DoubleToUInt64Bits(value), 52, 11);

    /// <summary>Exact conversion from a single; a signalling NaN is quieted as FLD m32 does.</summary>
    public static Extended80 FromSingle(uint bits) => FromBinary(bits, 23, 8);

    private static Extended80 FromBinary(ulong bits, int fractionBits, int exponentBits)
    {
        var sign = (ushort)((bits >> (fractionBits + exponentBits)) & 1) << 15;
        var maxExponent = (1 << exponentBits) - 1;
        var bias = (maxExponent >> 1);
        var exponent = (int)((bits >> fractionBits) & (ulong)maxExponent);
        var fraction = bits & ((1UL << fractionBits) - 1);
        if (exponent == maxExponent)
        {
            var mantissa = (1UL << 63) | (fraction << (63 - fractionBits));
            if (fraction != 0)
            {
                mantissa |= 1UL << 62;
            }
            return new(mantissa, (ushort)(sign | 0x7FFF));
        }
        if (exponent == 0)
        {
            if (fraction == 0)
            {
                return new(0, (ushort)sign);
            }
            var shift = BitOperations.LeadingZeroCount(fraction);
            var unbiased = 1 - bias - (shift - (63 - fractionBits));
            return new(fraction << shift, (ushort)(sign | (unbiased + Bias)));
        }
        return new((1UL << 63) | (fraction << (63 - fractionBits)), (ushort)(sign | (exponent - bias + Bias)));
    }

    /// <summary>Exact conversion from a signed integer (FILD).</summary>
    public static Extended80 FromInt64(long value)
    {
        if (value == 0)
        {
            return Zero;
        }
        var sign = value < 0 ? 0x8000 : 0;
        var magnitude = value < 0 ? (ulong)-value : (ulong)value;
        var shift = BitOperations.LeadingZeroCount(magnitude);
        return new(magnitude << shift, (ushort)(sign | (63 - shift + Bias)));
    }

    /// <summary>Converts to double, rounding with <paramref name="rounding"/>; NaNs keep their payload and are quieted.</summary>
    public double ToDouble(int rounding = 0)
    {
        var ignored = FpuExceptions.None;
        return ToDouble(rounding, ref ignored);
    }

    /// <summary>Converts to double, adding invalid (SNaN or unsupported), overflow, underflow and precision to <paramref name="raised"/>.</summary>
    public double ToDouble(int rounding, ref FpuExceptions raised) => BitConverter.UInt64BitsToDouble(ToBinary(52, 11, rounding, ref raised));

    /// <summary>Converts to single bits, rounding with <paramref name="rounding"/>.</summary>
    public uint ToSingleBits(int rounding)
    {
        var ignored = FpuExceptions.None;
        return ToSingleBits(rounding, ref ignored);
    }

    /// <summary>Converts to single bits, adding the exception conditions met to <paramref name="raised"/>.</summary>
    public uint ToSingleBits(int rounding, ref FpuExceptions raised) => (uint)ToBinary(23, 8, rounding, ref raised);

    private ulong ToBinary(int fractionBits, int exponentBits, int rounding, ref FpuExceptions raised)
    {
        var signBit = (Sign ? 1UL : 0) << (fractionBits + exponentBits);
        var maxExponent = (1UL << exponentBits) - 1;
        if (Exponent == 0x7FFF || IsUnsupported)
        {
            if (IsInfinity)
            {
                return signBit | (maxExponent << fractionBits);
            }
            if (IsSignalingNaN || IsUnsupported)
            {
                raised |= FpuExceptions.Invalid;
            }
            var source = IsUnsupported ? Indefinite : this;
            var payload = ((source.Mantissa << 1) >> (64 - fractionBits)) | (1UL << (fractionBits - 1));
            return (source.Sign ? 1UL << (fractionBits + exponentBits) : 0) | (maxExponent << fractionBits) | payload;
        }
        if (Mantissa == 0)
        {
            return signBit;
        }
        var bias = (int)(maxExponent >> 1);
        var precision = fractionBits + 1;
        var minExponent = 1 - bias;
        var leading = BitOperations.LeadingZeroCount(Mantissa);
        var mantissa = Mantissa << leading;
        var exponent = (Exponent == 0 ? 1 : Exponent) - Bias - leading;
        var shift = 64 - precision + (exponent < minExponent ? minExponent - exponent : 0);
        var kept = RoundShift(mantissa, shift, Sign, rounding, out var inexact);
        if (inexact)
        {
            raised |= FpuExceptions.Precision;
        }
        if (exponent < minExponent)
        {
            var tiny = exponent < minExponent - 1 || (RoundShift(mantissa, 64 - precision, Sign, rounding, out _) >> precision) == 0;
            if (tiny && inexact)
            {
                raised |= FpuExceptions.Underflow;
            }
            var biased = (kept >> fractionBits) != 0 ? 1UL : 0;
            return signBit | (biased << fractionBits) | (kept & ((1UL << fractionBits) - 1));
        }
        if ((kept >> precision) != 0)
        {
            kept >>= 1;
            exponent++;
        }
        if (exponent > bias)
        {
            raised |= FpuExceptions.Overflow | FpuExceptions.Precision;
            var toInfinity = rounding == 0 || (rounding == 1 && Sign) || (rounding == 2 && !Sign);
            return toInfinity ? signBit | (maxExponent << fractionBits) : signBit | ((maxExponent - 1) << fractionBits) | ((1UL << fractionBits) - 1);
        }
        return signBit | ((ulong)(exponent + bias) << fractionBits) | (kept & ((1UL << fractionBits) - 1));
    }

    /// <summary>Shifts <paramref name="value"/> right by <paramref name="shift"/> bits, rounding the discarded bits with the rounding control.</summary>
    private static ulong RoundShift(ulong value, int shift, bool negative, int rounding, out bool inexact)
    {
        inexact = false;
        if (shift <= 0)
        {
            return value;
        }
        ulong kept;
        bool half;
        bool sticky;
        if (shift >= 65)
        {
            kept = 0;
            half = false;
            sticky = value != 0;
        }
        else if (shift == 64)
        {
            kept = 0;
            half = (value >> 63) != 0;
            sticky = (value << 1) != 0;
        }
        else
        {
            kept = value >> shift;
            half = ((value >> (shift - 1)) & 1) != 0;
            sticky = shift > 1 && (value << (65 - shift)) != 0;
        }
        inexact = half || sticky;
        var up = rounding switch
        {
            0 => half && (sticky || (kept & 1) != 0),
            1 => negative && inexact,
            2 => !negative && inexact,
            _ => false,
        };
        return up ? kept + 1 : kept;
    }

    /// <summary>
    /// Rounds to a signed integer of <paramref name="bits"/> bits (FIST/FISTP/FISTTP); NaN, infinity and
    /// out-of-range values give null (the caller stores the integer indefinite).
    /// </summary>
    public long? ToInteger(int bits, int rounding, ref FpuExceptions raised)
    {
        if (Exponent == 0x7FFF || IsUnsupported)
        {
            return null;
        }
        if (Mantissa == 0)
        {
            return 0;
        }
        var exponent = (Exponent == 0 ? 1 : Exponent) - Bias;
        if (exponent > 63)
        {
            return null;
        }
        var magnitude = RoundShift(Mantissa, 63 - exponent, Sign, rounding, out var inexact);
        var limit = 1UL << (bits - 1);
        if (Sign ? magnitude > limit : magnitude >= limit)
        {
            return null;
        }
        if (inexact)
        {
            raised |= FpuExceptions.Precision;
        }
        return Sign ? -(long)magnitude : (long)magnitude;
    }

    /// <summary>The integer part of a finite value of magnitude below 2^31 (FSCALE's power).</summary>
    public long ToIntegerTruncated()
    {
        if (Mantissa == 0)
        {
            return 0;
        }
        var exponent = (Exponent == 0 ? 1 : Exponent) - Bias;
        var magnitude = exponent < 0 ? 0 : (long)(Mantissa >> (63 - exponent));
        return Sign ? -magnitude : magnitude;
    }

    /// <summary>Rounds to an integral value in extended format (FRNDINT), exactly.</summary>
    public Extended80 RoundToIntegral(int rounding, ref FpuExceptions raised)
    {
        if (Exponent == 0x7FFF || Mantissa == 0 || IsUnsupported)
        {
            return this;
        }
        var exponent = (Exponent == 0 ? 1 : Exponent) - Bias;
        if (exponent >= 63)
        {
            return this;
        }
        var magnitude = RoundShift(Mantissa, 63 - exponent, Sign, rounding, out var inexact);
        if (inexact)
        {
            raised |= FpuExceptions.Precision;
        }
        if (magnitude == 0)
        {
            return new(0, (ushort)(SignExponent & 0x8000));
        }
        var result = FromInt64((long)magnitude);
        return Sign ? result.Negate() : result;
    }

    /// <summary>
    /// Orders two values for the compare instructions: -1, 0, 1, or 2 for unordered (a NaN or an
    /// unsupported encoding). Zeros of either sign are equal.
    /// </summary>
    public static int Compare(Extended80 a, Extended80 b)
    {
        if (a.IsNaN || b.IsNaN || a.IsUnsupported || b.IsUnsupported)
        {
            return 2;
        }
        if (a.IsZero && b.IsZero)
        {
            return 0;
        }
        if (a.Sign != b.Sign)
        {
            return a.Sign ? -1 : 1;
        }
        var magnitude = a.Exponent != b.Exponent ? a.Exponent.CompareTo(b.Exponent) : a.Mantissa.CompareTo(b.Mantissa);
        return a.Sign ? -magnitude : magnitude;
    }
}
