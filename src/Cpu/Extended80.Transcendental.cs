using System.Numerics;

namespace ActorVisor.Cpu;

/// <summary>
/// The x87 transcendental functions on finite, nonzero operands (the callers handle zeros, infinities
/// and NaNs): sine, cosine and tangent after reduction by the processor's 66-bit pi, arctangent of a
/// quotient, 2^x - 1 and y × log2 of an exact binary value. Each is evaluated in fixed point with
/// <see cref="FractionBits"/> fraction bits on <see cref="BigInteger"/> (series after argument
/// reduction, every truncation far below the final rounding), then rounded once to 64 bits with the
/// rounding control. A result that is not exactly representable is always marked inexact, and the series
/// are clamped to the side of 1 where the true value lies, so a result that sits just below or above a
/// representable value (sin x for tiny x, for example) rounds in the right direction and sets C1 as
/// the hardware does. Only values that are exact in the mathematics (2^k - 1 for integral k, k × y for
/// log2 of a power of two) are treated as exact.
/// </summary>
internal readonly partial record struct Extended80
{
    /// <summary>Fraction bits of the internal fixed point: far beyond the 64 kept, so one rounding suffices.</summary>
    private const int FractionBits = 320;

    private static readonly BigInteger FixedOne = BigInteger.One << FractionBits;

    /// <summary>pi with <see cref="FractionBits"/> fraction bits.</summary>
    private static readonly BigInteger FixedPi = ComputePi();

    /// <summary>ln 2 with <see cref="FractionBits"/> fraction bits.</summary>
    private static readonly BigInteger FixedLn2 = ComputeLn2();

    /// <summary>
    /// The pi the processor reduces FSIN/FCOS/FSINCOS/FPTAN arguments by: 66 significant bits,
    /// pi ≈ <see cref="ReductionPi"/> × 2^-64 (0x3243F6A8885A308D3), so results near multiples of pi
    /// differ from the true function exactly as the hardware's do.
    /// </summary>
    internal static readonly BigInteger ReductionPi = (FixedPi + (BigInteger.One << (FractionBits - 65))) >> (FractionBits - 64);

    /// <summary>A value (-1)^Negative × Magnitude × 2^Exponent; Exact says nothing was lost computing it.</summary>
    private readonly record struct Wide(bool Negative, BigInteger Magnitude, int Exponent, bool Exact);

    private static BigInteger ComputePi()
    {
        const int guard = 16;
        var scale = FractionBits + guard;
        return ((16 * InverseArctangent(5, scale)) - (4 * InverseArctangent(239, scale))) >> guard;
    }

    /// <summary>atan(1/n) with <paramref name="scale"/> fraction bits (the Machin series).</summary>
    private static BigInteger InverseArctangent(int n, int scale)
    {
        var power = (BigInteger.One << scale) / n;
        var square = n * n;
        var sum = BigInteger.Zero;
        for (var k = 0; !power.IsZero; k++)
        {
            var term = power / ((2 * k) + 1);
            sum += (k & 1) == 0 ? term : -term;
            power /= square;
        }
        return sum;
    }

    private static BigInteger ComputeLn2()
    {
        const int guard = 16;
        var power = (BigInteger.One << (FractionBits + guard)) / 3;
        var sum = BigInteger.Zero;
        for (var k = 0; !power.IsZero; k++)
        {
            sum += power / ((2 * k) + 1);
            power /= 9;
        }
        return (2 * sum) >> guard;
    }

    /// <summary>The value's sign, its significand (bit 63 set) and 2's exponent of the significand's last bit.</summary>
    private static Wide ToWide(Extended80 x)
    {
        var (sign, exponent, significand) = x.Unpack();
        return new(sign, significand, exponent - 63, true);
    }

    private static Wide FromFixed(BigInteger value) => new(value.Sign < 0, BigInteger.Abs(value), -FractionBits, false);

    /// <summary>A nonnegative value in fixed point, truncated.</summary>
    private static BigInteger ToFixed(Wide w)
    {
        var shift = w.Exponent + FractionBits;
        var magnitude = shift >= 0 ? w.Magnitude << shift : w.Magnitude >> -shift;
        return w.Negative ? -magnitude : magnitude;
    }

    /// <summary>The square of a wide value in fixed point (truncated).</summary>
    private static BigInteger SquareFixed(Wide w)
    {
        var shift = (2 * w.Exponent) + FractionBits;
        var square = w.Magnitude * w.Magnitude;
        return shift >= 0 ? square << shift : square >> -shift;
    }

    /// <summary>Rounds a wide value to 64 significand bits with the rounding control.</summary>
    private static Extended80 RoundWide(Wide w, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        if (w.Magnitude.IsZero)
        {
            roundedUp = false;
            return SignedZero(w.Negative);
        }
        var length = (int)w.Magnitude.GetBitLength();
        var sticky = !w.Exact;
        BigInteger top;
        if (length > 128)
        {
            top = w.Magnitude >> (length - 128);
            sticky |= (top << (length - 128)) != w.Magnitude;
        }
        else
        {
            top = w.Magnitude << (128 - length);
        }
        return Round(w.Negative, w.Exponent + length - 1, (UInt128)top, sticky, 64, rounding, out roundedUp, ref raised);
    }

    /// <summary>Keeps the magnitude to about 2 × <see cref="FractionBits"/> bits, noting a loss.</summary>
    private static Wide Trim(Wide w)
    {
        var excess = (int)w.Magnitude.GetBitLength() - (2 * FractionBits);
        if (excess <= 0)
        {
            return w;
        }
        var kept = w.Magnitude >> excess;
        return new(w.Negative, kept, w.Exponent + excess, w.Exact && (kept << excess) == w.Magnitude);
    }

    private static Wide Multiply(Wide a, Wide b) => Trim(new(a.Negative != b.Negative, a.Magnitude * b.Magnitude, a.Exponent + b.Exponent, a.Exact && b.Exact));

    /// <summary>The quotient of two wide values with about <see cref="FractionBits"/> + 64 significant bits.</summary>
    private static Wide Divide(Wide a, Wide b)
    {
        var shift = FractionBits + 64 - (int)(a.Magnitude.GetBitLength() - b.Magnitude.GetBitLength());
        var numerator = shift >= 0 ? a.Magnitude << shift : a.Magnitude >> -shift;
        var quotient = BigInteger.DivRem(numerator, b.Magnitude, out var remainder);
        return new(a.Negative != b.Negative, quotient, a.Exponent - b.Exponent - shift, false);
    }

    /// <summary>sin r / r for t = r² (fixed point), r ≠ 0: just below 1.</summary>
    private static BigInteger SineOverArgument(BigInteger t)
    {
        var sum = FixedOne;
        var term = FixedOne;
        for (var k = 1; !term.IsZero; k++)
        {
            term = ((term * t) >> FractionBits) / (2 * k * ((2 * k) + 1));
            sum += (k & 1) == 1 ? -term : term;
        }
        return BigInteger.Min(sum, FixedOne - 1);
    }

    /// <summary>cos r for t = r² (fixed point), r ≠ 0: below 1.</summary>
    private static BigInteger CosineOfSquare(BigInteger t)
    {
        var sum = FixedOne;
        var term = FixedOne;
        for (var k = 1; !term.IsZero; k++)
        {
            term = ((term * t) >> FractionBits) / (((2 * k) - 1) * 2 * k);
            sum += (k & 1) == 1 ? -term : term;
        }
        return BigInteger.Min(sum, FixedOne - 1);
    }

    /// <summary>atan z / z for t = z² (fixed point, t small), z ≠ 0: below 1.</summary>
    private static BigInteger ArctangentOverArgument(BigInteger t)
    {
        var sum = FixedOne;
        var power = FixedOne;
        for (var k = 1; ; k++)
        {
            power = (power * t) >> FractionBits;
            if (power.IsZero)
            {
                break;
            }
            var term = power / ((2 * k) + 1);
            sum += (k & 1) == 1 ? -term : term;
        }
        return BigInteger.Min(sum, FixedOne - 1);
    }

    /// <summary>atanh w / w for t = w² (fixed point), w ≠ 0: above 1.</summary>
    private static BigInteger HyperbolicArctangentOverArgument(BigInteger t)
    {
        var sum = FixedOne;
        var power = FixedOne;
        for (var k = 1; ; k++)
        {
            power = (power * t) >> FractionBits;
            if (power.IsZero)
            {
                break;
            }
            sum += power / ((2 * k) + 1);
        }
        return BigInteger.Max(sum, FixedOne + 1);
    }

    /// <summary>(e^u - 1) / u for u in fixed point (u ≠ 0): above 1 for u &gt; 0, below for u &lt; 0.</summary>
    private static BigInteger ExponentialMinusOneOverArgument(BigInteger u, bool negative)
    {
        var sum = FixedOne;
        var term = FixedOne;
        for (var k = 1; !term.IsZero; k++)
        {
            term = ((term * u) >> FractionBits) / (k + 1);
            sum += term;
        }
        return negative ? BigInteger.Min(sum, FixedOne - 1) : BigInteger.Max(sum, FixedOne + 1);
    }

    private static BigInteger SquareRoot(BigInteger n)
    {
        if (n.IsZero)
        {
            return n;
        }
        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var next = (x + (n / x)) >> 1;
            if (next >= x)
            {
                return x;
            }
            x = next;
        }
    }

    /// <summary>
    /// sin x and cos x for finite nonzero x with |x| &lt; 2^63, reduced by the 66-bit pi: x = k × pi66/2 + r
    /// exactly, |r| at most about pi/4, then the quadrant k mod 4 picks ±sin r or ±cos r.
    /// </summary>
    public static void SineCosine(Extended80 x, int rounding, bool wantSine, bool wantCosine, out Extended80 sine, out bool sineUp, out Extended80 cosine, out bool cosineUp, ref FpuExceptions raised)
    {
        var (s, c) = SineCosineWide(x);
        sine = cosine = Zero;
        sineUp = cosineUp = false;
        if (wantSine)
        {
            sine = RoundWide(s, rounding, out sineUp, ref raised);
        }
        if (wantCosine)
        {
            cosine = RoundWide(c, rounding, out cosineUp, ref raised);
        }
    }

    /// <summary>tan x for finite nonzero x with |x| &lt; 2^63, reduced by the 66-bit pi.</summary>
    public static Extended80 Tangent(Extended80 x, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var (s, c) = SineCosineWide(x);
        return RoundWide(Divide(s, c), rounding, out roundedUp, ref raised);
    }

    private static (Wide Sine, Wide Cosine) SineCosineWide(Extended80 x)
    {
        var w = ToWide(x);
        BigInteger reduced;
        int exponent;
        BigInteger quadrant;
        if (w.Exponent + 65 >= 0)
        {
            var scaled = w.Magnitude << (w.Exponent + 65);
            quadrant = ((2 * scaled) + ReductionPi) / (2 * ReductionPi);
            reduced = scaled - (quadrant * ReductionPi);
            exponent = -65;
        }
        else
        {
            quadrant = 0;
            reduced = w.Magnitude;
            exponent = w.Exponent;
        }
        var r = new Wide(reduced.Sign < 0, BigInteger.Abs(reduced), exponent, true);
        if (w.Negative)
        {
            r = r with { Negative = !r.Negative };
            quadrant = -quadrant;
        }
        var t = SquareFixed(r);
        var sine = Multiply(r, FromFixed(SineOverArgument(t)));
        var cosine = FromFixed(CosineOfSquare(t));
        var q = (int)(((quadrant % 4) + 4) % 4);
        return q switch
        {
            0 => (sine, cosine),
            1 => (cosine, sine with { Negative = !sine.Negative }),
            2 => (sine with { Negative = !sine.Negative }, cosine with { Negative = true }),
            _ => (cosine with { Negative = true }, sine),
        };
    }

    /// <summary>FPATAN: the angle of (x, y) for finite nonzero x and y, in (-pi, pi].</summary>
    public static Extended80 Arctangent(Extended80 y, Extended80 x, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var wy = ToWide(y) with { Negative = false };
        var wx = ToWide(x) with { Negative = false };
        var swapped = Compare(y.Abs(), x.Abs()) > 0;
        var z = swapped ? Divide(wx, wy) : Divide(wy, wx);
        Wide angle;
        if (!swapped && !x.Sign)
        {
            angle = ArctangentWide(z);
        }
        else
        {
            var a = ToFixed(ArctangentWide(z));
            var fixedAngle = swapped ? (FixedPi >> 1) - a : a;
            if (x.Sign)
            {
                fixedAngle = FixedPi - fixedAngle;
            }
            angle = FromFixed(fixedAngle);
        }
        return RoundWide(angle with { Negative = y.Sign }, rounding, out roundedUp, ref raised);
    }

    /// <summary>A multiple of pi/4 (FPATAN of infinities and zeros), rounded.</summary>
    public static Extended80 PiQuarters(int quarters, bool negative, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        return RoundWide(FromFixed(quarters * FixedPi / 4) with { Negative = negative }, rounding, out roundedUp, ref raised);
    }

    /// <summary>atan z for 0 &lt; z ≤ 1: halved by atan z = 2 atan(z / (1 + sqrt(1 + z²))) until z &lt; 2^-6, then the series.</summary>
    private static Wide ArctangentWide(Wide z)
    {
        if ((int)z.Magnitude.GetBitLength() + z.Exponent <= -6)
        {
            return Multiply(z, FromFixed(ArctangentOverArgument(SquareFixed(z))));
        }
        var value = ToFixed(z);
        var halvings = 0;
        while (value > (FixedOne >> 6))
        {
            var root = SquareRoot((FixedOne * FixedOne) + (value * value));
            value = (value << FractionBits) / (FixedOne + root);
            halvings++;
        }
        var series = (value * ArctangentOverArgument((value * value) >> FractionBits)) >> FractionBits;
        return FromFixed(series << halvings);
    }

    /// <summary>F2XM1: 2^x - 1 for finite nonzero x (the processor defines |x| ≤ 1), = (e^u - 1) with u = x ln 2.</summary>
    public static Extended80 TwoToXMinusOne(Extended80 x, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var w = ToWide(x);
        if (w.Magnitude == (BigInteger.One << 63) && w.Exponent == -63)
        {
            var exact = w.Negative ? new Extended80(1UL << 63, 0xBFFE) : new Extended80(1UL << 63, 0x3FFF);
            roundedUp = false;
            return exact;
        }
        var u = Multiply(w, FromFixed(FixedLn2));
        var series = ExponentialMinusOneOverArgument(ToFixed(u), w.Negative);
        return RoundWide(Multiply(u, FromFixed(series)), rounding, out roundedUp, ref raised);
    }

    /// <summary>
    /// y × log2(v) for finite nonzero y and an exact positive v = <paramref name="magnitude"/> × 2^<paramref name="exponent"/>
    /// that is not a power of two: v = m × 2^e with m in [sqrt(2)/2, sqrt(2)), log2 m = 2 atanh((m-1)/(m+1)) / ln 2.
    /// </summary>
    private static Extended80 TimesLog2(Extended80 y, BigInteger magnitude, int exponent, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var length = (int)magnitude.GetBitLength();
        var e = exponent + length - 1;
        var unit = BigInteger.One << (length - 1);
        // m = magnitude / unit in [1, 2); above sqrt(2) take m/2 (unit doubled) and e + 1.
        if (magnitude * magnitude * 2 > (unit * unit) << 2)
        {
            unit <<= 1;
            e++;
        }
        var numerator = magnitude - unit;
        var w = Divide(new Wide(numerator.Sign < 0, BigInteger.Abs(numerator), 0, true), new Wide(false, magnitude + unit, 0, true));
        var atanh = HyperbolicArctangentOverArgument(SquareFixed(w));
        var fraction = Trim(new Wide(w.Negative, w.Magnitude * atanh * 2 / FixedLn2, w.Exponent, false));
        var log = e == 0 ? fraction : FromFixed((e * FixedOne) + ToFixed(fraction));
        return RoundWide(Multiply(ToWide(y), log), rounding, out roundedUp, ref raised);
    }

    /// <summary>FYL2X: y × log2 x for finite nonzero y and finite positive x that is not a power of two.</summary>
    public static Extended80 TimesLog2(Extended80 y, Extended80 x, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var w = ToWide(x);
        return TimesLog2(y, w.Magnitude, w.Exponent, rounding, out roundedUp, ref raised);
    }

    /// <summary>FYL2XP1: y × log2(1 + x) for finite nonzero y and x, with 1 + x computed exactly.</summary>
    public static Extended80 TimesLog2OnePlus(Extended80 y, Extended80 x, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var w = ToWide(x);
        BigInteger sum;
        int exponent;
        if (w.Exponent >= 0)
        {
            sum = (w.Negative ? -(w.Magnitude << w.Exponent) : w.Magnitude << w.Exponent) + 1;
            exponent = 0;
        }
        else
        {
            sum = (BigInteger.One << -w.Exponent) + (w.Negative ? -w.Magnitude : w.Magnitude);
            exponent = w.Exponent;
        }
        if (sum.Sign <= 0)
        {
            raised |= FpuExceptions.Invalid;
            roundedUp = false;
            return Indefinite;
        }
        if (sum.IsPowerOfTwo)
        {
            var power = (int)sum.GetBitLength() - 1 + exponent;
            return Multiply(y, FromInt64(power), 64, rounding, out roundedUp, ref raised);
        }
        return TimesLog2(y, sum, exponent, rounding, out roundedUp, ref raised);
    }

    /// <summary>FSCALE of finite nonzero x by an integral power (already truncated and clamped), rounded only on overflow or underflow.</summary>
    public static Extended80 Scale(Extended80 x, int power, int rounding, out bool roundedUp, ref FpuExceptions raised)
    {
        var (sign, exponent, significand) = x.Unpack();
        return Round(sign, exponent + power, (UInt128)significand << 64, false, 64, rounding, out roundedUp, ref raised);
    }

    /// <summary>The unbiased exponent of a finite nonzero value, as if it were normalized (FXTRACT, FYL2X of a power of two).</summary>
    public int NormalizedExponent => Unpack().Exponent;

    /// <summary>Whether a finite nonzero value is a power of two.</summary>
    public bool IsPowerOfTwo => (Mantissa & (Mantissa - 1)) == 0;

    /// <summary>The significand of a finite nonzero value with the exponent of 1 (FXTRACT), keeping the sign.</summary>
    public Extended80 Significand => new(Unpack().Significand, (ushort)((SignExponent & 0x8000) | Bias));
}
