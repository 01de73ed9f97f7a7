using System.Numerics;
using System.Runtime.CompilerServices;

namespace ActorVisor.Cpu;

/// <summary>
/// IEEE 754 binary32/binary64 arithmetic under an MXCSR, in software (.NET always rounds to nearest and
/// cannot report exceptions): every operation yields the result bits for the MXCSR rounding control,
/// DAZ and FTZ, and ORs the status flags the hardware sets (IE, DE, ZE, OE, UE, PE) into a flag word.
/// Values are passed as raw bits (a single in the low 32 bits). NaN rules are the SSE ones: a signalling
/// NaN is quieted, the first source's NaN wins, an invalid operation returns the default NaN.
/// <para>
/// The exact result is kept as a host double plus the sign of its error (TwoSum, a fused multiply-add
/// residual) or as a 64-bit significand with a sticky bit, and <see cref="RoundPack"/> rounds it once to
/// the destination format: directed rounding, overflow to infinity or the largest finite value,
/// tininess detected after rounding, denormal results or FTZ's zero. A double operation whose rounded
/// result is a safely normal number takes the host's result and only steps to the neighbour in a
/// directed mode.
/// </para>
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const uint MxIe = 1;
    private const uint MxDe = 2;
    private const uint MxZe = 4;
    private const uint MxOe = 8;
    private const uint MxUe = 0x10;
    private const uint MxPe = 0x20;
    private const uint MxDaz = 0x40;
    private const uint MxUm = 0x800;
    private const uint MxFtz = 0x8000;

    private const ulong DoubleSign = 1UL << 63;
    private const ulong DoubleQuiet = 1UL << 51;
    private const ulong DoubleExponent = 0x7FF0000000000000UL;
    private const ulong DoubleFraction = 0x000FFFFFFFFFFFFFUL;
    private const ulong DefaultNaNDouble = 0xFFF8000000000000UL;
    private const uint SingleSign = 1u << 31;
    private const uint SingleQuiet = 1u << 22;
    private const uint SingleExponent = 0x7F800000;
    private const uint SingleFraction = 0x007FFFFF;
    private const uint DefaultNaNSingle = 0xFFC00000;

    private enum FloatOp : byte
    {
        Add,
        Sub,
        Mul,
        Div,
        Min,
        Max,
        Sqrt,
    }

    private static int MxcsrRounding(uint mxcsr) => (int)(mxcsr >> 13) & 3;

    private static ulong SignBit(bool dbl) => dbl ? DoubleSign : SingleSign;

    private static bool IsNaN(ulong v, bool dbl) => dbl ? (v & ~DoubleSign) > DoubleExponent : (v & ~(ulong)SingleSign) > SingleExponent;

    private static bool IsSignalling(ulong v, bool dbl) => IsNaN(v, dbl) && (v & (dbl ? DoubleQuiet : SingleQuiet)) == 0;

    private static ulong Quiet(ulong v, bool dbl) => v | (dbl ? DoubleQuiet : SingleQuiet);

    private static ulong DefaultNaN(bool dbl) => dbl ? DefaultNaNDouble : DefaultNaNSingle;

    private static bool IsInfinity(ulong v, bool dbl) => (v & ~SignBit(dbl)) == (dbl ? DoubleExponent : SingleExponent);

    private static bool IsZero(ulong v, bool dbl) => (v & ~SignBit(dbl)) == 0;

    private static bool IsDenormal(ulong v, bool dbl) => dbl
        ? (v & DoubleExponent) == 0 && (v & DoubleFraction) != 0
        : (v & SingleExponent) == 0 && (v & SingleFraction) != 0;

    /// <summary>A finite, non-zero, non-denormal value: no special case and no DAZ applies to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsNormal(ulong v, bool dbl) => dbl ? ((v >> 52) & 0x7FF) - 1 < 0x7FE : ((v >> 23) & 0xFF) - 1 < 0xFE;

    private static ulong Infinity(bool negative, bool dbl) => (dbl ? DoubleExponent : SingleExponent) | (negative ? SignBit(dbl) : 0);

    /// <summary>A denormal operand becomes a zero of its sign under DAZ, or raises DE; other values pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong DenormalOperand(ulong v, bool dbl, uint mxcsr, ref uint flags)
    {
        if (!IsDenormal(v, dbl))
        {
            return v;
        }
        if ((mxcsr & MxDaz) != 0)
        {
            return v & SignBit(dbl);
        }
        flags |= MxDe;
        return v;
    }

    /// <summary>Splits a finite non-zero value into sign, exponent and a significand with bit 63 set: |v| = sig * 2^(exp - 63).</summary>
    private static void Unpack(ulong v, bool dbl, out bool sign, out int exp, out ulong sig)
    {
        sign = (v & SignBit(dbl)) != 0;
        if (dbl)
        {
            var field = (int)((v >> 52) & 0x7FF);
            var fraction = v & DoubleFraction;
            if (field == 0)
            {
                var lz = BitOperations.LeadingZeroCount(fraction);
                sig = fraction << lz;
                exp = (63 - lz) - 1074;
            }
            else
            {
                sig = (fraction | (1UL << 52)) << 11;
                exp = field - 1023;
            }
        }
        else
        {
            var field = (int)((v >> 23) & 0xFF);
            var fraction = v & SingleFraction;
            if (field == 0)
            {
                var lz = BitOperations.LeadingZeroCount(fraction);
                sig = fraction << lz;
                exp = (63 - lz) - 149;
            }
            else
            {
                sig = (fraction | (1UL << 23)) << 40;
                exp = field - 127;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RoundsUp(int rc, bool sign, ulong rest, ulong half, ulong lsb) => rc switch
    {
        0 => rest > half || (rest == half && lsb != 0),
        1 => sign && rest != 0,
        2 => !sign && rest != 0,
        _ => false,
    };

    /// <summary>
    /// Rounds sig * 2^(exp - 63) (bit 63 of sig set, bit 0 sticky) to a single or double under the MXCSR:
    /// overflow gives infinity or the largest finite value by the rounding direction (OE, PE); a result
    /// that is tiny after rounding is denormalised (UE when inexact or when UM is clear) or, under FTZ with
    /// UM set, becomes a signed zero (UE, PE).
    /// </summary>
    private static ulong RoundPack(bool sign, int exp, ulong sig, bool dbl, uint mxcsr, ref uint flags)
    {
        var rc = MxcsrRounding(mxcsr);
        var fractionBits = dbl ? 52 : 23;
        var bias = dbl ? 1023 : 127;
        var maxField = dbl ? 0x7FF : 0xFF;
        var signBits = sign ? SignBit(dbl) : 0;
        var shift = 63 - fractionBits;
        var half = 1UL << (shift - 1);
        var mask = (1UL << shift) - 1;
        var field = exp + bias;
        if (field >= 1)
        {
            var rest = sig & mask;
            var m = sig >> shift;
            if (RoundsUp(rc, sign, rest, half, m & 1))
            {
                m++;
                if ((m >> (fractionBits + 1)) != 0)
                {
                    m >>= 1;
                    field++;
                }
            }
            if (field >= maxField)
            {
                flags |= MxOe | MxPe;
                var toInfinity = rc == 0 || (rc == 2 && !sign) || (rc == 1 && sign);
                return toInfinity ? Infinity(sign, dbl) : signBits | ((ulong)(maxField - 1) << fractionBits) | ((1UL << fractionBits) - 1);
            }
            if (rest != 0)
            {
                flags |= MxPe;
            }
            return signBits | ((ulong)field << fractionBits) | (m & ((1UL << fractionBits) - 1));
        }
        var tiny = field < 0 || !(RoundsUp(rc, sign, sig & mask, half, (sig >> shift) & 1) && (sig >> shift) == (1UL << (fractionBits + 1)) - 1);
        if ((mxcsr & MxFtz) != 0 && (mxcsr & MxUm) != 0 && tiny)
        {
            flags |= MxUe | MxPe;
            return signBits;
        }
        var total = shift + 1 - field;
        ulong mantissa, remainder, halfway;
        if (total >= 64)
        {
            mantissa = 0;
            remainder = total == 64 ? sig : 1;
            halfway = total == 64 ? 1UL << 63 : 1UL << 62;
        }
        else
        {
            mantissa = sig >> total;
            remainder = sig & ((1UL << total) - 1);
            halfway = 1UL << (total - 1);
        }
        if (RoundsUp(rc, sign, remainder, halfway, mantissa & 1))
        {
            mantissa++;
        }
        if (remainder != 0)
        {
            flags |= MxPe;
        }
        if (tiny && (remainder != 0 || (mxcsr & MxUm) == 0))
        {
            flags |= MxUe;
        }
        return signBits | mantissa;
    }

    /// <summary>
    /// Rounds x = d * 2^scale to the destination, where d is a finite non-zero host double and
    /// <paramref name="errorSign"/> the sign of (exact result - x): positive, negative or zero (x exact).
    /// </summary>
    private static ulong RoundFromDouble(double d, int errorSign, int scale, bool dbl, uint mxcsr, ref uint flags)
    {
        Unpack(BitConverter.DoubleToUInt64Bits(d), dbl: true, out var sign, out var exp, out var sig);
        exp += scale;
        if (errorSign != 0)
        {
            var awayFromZero = (errorSign > 0) != sign;
            if (awayFromZero)
            {
                sig |= 1;
            }
            else
            {
                sig--;
                if ((sig >> 63) == 0)
                {
                    sig <<= 1;
                    exp--;
                }
            }
        }
        return RoundPack(sign, exp, sig, dbl, mxcsr, ref flags);
    }

    /// <summary>The NaN result of a two-operand operation with a NaN operand (IE for a signalling one): the first NaN, quieted.</summary>
    private static ulong PropagateNaN(ulong a, ulong b, bool dbl, ref uint flags)
    {
        if (IsSignalling(a, dbl) || IsSignalling(b, dbl))
        {
            flags |= MxIe;
        }
        return Quiet(IsNaN(a, dbl) ? a : b, dbl);
    }

    /// <summary>ADD, SUB, MUL, DIV, MIN, MAX and SQRT (of <paramref name="b"/>) on one element. A division by zero reports ZE and not DE.</summary>
    private static ulong FloatBinary(FloatOp kind, ulong a, ulong b, bool dbl, uint mxcsr, ref uint flags)
    {
        if (kind <= FloatOp.Div && IsNormal(a, dbl) && IsNormal(b, dbl))
        {
            if (kind == FloatOp.Sub)
            {
                b ^= SignBit(dbl);
                kind = FloatOp.Add;
            }
            return dbl ? DoubleArithmetic(kind, a, b, mxcsr, ref flags) : SingleArithmetic(kind, a, b, mxcsr, ref flags);
        }
        if (kind == FloatOp.Sqrt)
        {
            return FloatSqrt(b, dbl, mxcsr, ref flags);
        }
        if (kind is FloatOp.Min or FloatOp.Max)
        {
            return FloatMinMax(kind == FloatOp.Max, a, b, dbl, mxcsr, ref flags);
        }
        if (IsNaN(a, dbl) || IsNaN(b, dbl))
        {
            return PropagateNaN(a, b, dbl, ref flags);
        }
        var before = flags;
        a = DenormalOperand(a, dbl, mxcsr, ref flags);
        b = DenormalOperand(b, dbl, mxcsr, ref flags);
        var signBit = SignBit(dbl);
        if (kind == FloatOp.Sub)
        {
            b ^= signBit;
            kind = FloatOp.Add;
        }
        var negative = ((a ^ b) & signBit) != 0;
        switch (kind)
        {
            case FloatOp.Add:
                if (IsInfinity(a, dbl) || IsInfinity(b, dbl))
                {
                    if (IsInfinity(a, dbl) && IsInfinity(b, dbl) && negative)
                    {
                        flags |= MxIe;
                        return DefaultNaN(dbl);
                    }
                    return IsInfinity(a, dbl) ? a : b;
                }
                if (IsZero(a, dbl) && IsZero(b, dbl))
                {
                    return negative ? (MxcsrRounding(mxcsr) == 1 ? signBit : 0) : a;
                }
                break;
            case FloatOp.Mul:
                if (IsInfinity(a, dbl) || IsInfinity(b, dbl))
                {
                    if (IsZero(a, dbl) || IsZero(b, dbl))
                    {
                        flags |= MxIe;
                        return DefaultNaN(dbl);
                    }
                    return Infinity(negative, dbl);
                }
                if (IsZero(a, dbl) || IsZero(b, dbl))
                {
                    return negative ? signBit : 0;
                }
                break;
            default:
                if (IsInfinity(a, dbl))
                {
                    if (IsInfinity(b, dbl))
                    {
                        flags |= MxIe;
                        return DefaultNaN(dbl);
                    }
                    return Infinity(negative, dbl);
                }
                if (IsZero(b, dbl))
                {
                    if (IsZero(a, dbl))
                    {
                        flags |= MxIe;
                        return DefaultNaN(dbl);
                    }
                    flags = before | MxZe;
                    return Infinity(negative, dbl);
                }
                if (IsZero(a, dbl) || IsInfinity(b, dbl))
                {
                    return negative ? signBit : 0;
                }
                break;
        }
        return dbl ? DoubleArithmetic(kind, a, b, mxcsr, ref flags) : SingleArithmetic(kind, a, b, mxcsr, ref flags);
    }

    /// <summary>Finite operands (one may be zero for ADD): single results are exact in a host double up to one error term.</summary>
    private static ulong SingleArithmetic(FloatOp kind, ulong a, ulong b, uint mxcsr, ref uint flags)
    {
        double x = BitConverter.UInt32BitsToSingle((uint)a);
        double y = BitConverter.UInt32BitsToSingle((uint)b);
        double r;
        double error;
        switch (kind)
        {
            case FloatOp.Add:
                r = x + y;
                var yy = r - x;
                error = (x - (r - yy)) + (y - yy);
                if (r == 0)
                {
                    return MxcsrRounding(mxcsr) == 1 ? SingleSign : 0;
                }
                break;
            case FloatOp.Mul:
                r = x * y;
                error = 0;
                break;
            default:
                r = x / y;
                error = Math.FusedMultiplyAdd(-r, y, x) * Math.Sign(y);
                break;
        }
        if (MxcsrRounding(mxcsr) == 0)
        {
            // Round to nearest through the host: a double holds 2p + 2 bits of a single, so rounding the
            // double result again is exact; results near the denormal range or overflow take the slow path.
            var f = (float)r;
            var bits = BitConverter.SingleToUInt32Bits(f);
            var field = (bits >> 23) & 0xFF;
            if (field > 1 && field < 0xFF)
            {
                if (f != r || error != 0)
                {
                    flags |= MxPe;
                }
                return bits;
            }
        }
        return RoundFromDouble(r, Math.Sign(error), 0, dbl: false, mxcsr, ref flags);
    }

    private static ulong DoubleArithmetic(FloatOp kind, ulong a, ulong b, uint mxcsr, ref uint flags)
    {
        var x = BitConverter.UInt64BitsToDouble(a);
        var y = BitConverter.UInt64BitsToDouble(b);
        var normal = (a & DoubleExponent) != 0 && (b & DoubleExponent) != 0;
        double r;
        double error;
        switch (kind)
        {
            case FloatOp.Add:
                r = x + y;
                if (double.IsInfinity(r))
                {
                    var h = (x * 0.5) + (y * 0.5);
                    var hy = h - (x * 0.5);
                    var herror = ((x * 0.5) - (h - hy)) + ((y * 0.5) - hy);
                    return RoundFromDouble(h, Math.Sign(herror), 1, dbl: true, mxcsr, ref flags);
                }
                if (r == 0)
                {
                    return MxcsrRounding(mxcsr) == 1 ? DoubleSign : 0;
                }
                var yy = r - x;
                error = (x - (r - yy)) + (y - yy);
                if (!double.IsNormal(r))
                {
                    return RoundFromDouble(r, Math.Sign(error), 0, dbl: true, mxcsr, ref flags);
                }
                break;
            case FloatOp.Mul:
                r = x * y;
                if (!normal || !SafelyNormal(r))
                {
                    Unpack(a, true, out var sa, out var ea, out var ma);
                    Unpack(b, true, out var sb, out var eb, out var mb);
                    var high = Math.BigMul(ma, mb, out var low);
                    if ((high >> 63) != 0)
                    {
                        return RoundPack(sa != sb, ea + eb + 1, high | (low != 0 ? 1UL : 0), true, mxcsr, ref flags);
                    }
                    return RoundPack(sa != sb, ea + eb, (high << 1) | (low >> 63) | ((low << 1) != 0 ? 1UL : 0), true, mxcsr, ref flags);
                }
                error = Math.FusedMultiplyAdd(x, y, -r);
                break;
            default:
                r = x / y;
                if (!normal || !SafelyNormal(r) || Math.Abs(x) < 1e-289)
                {
                    Unpack(a, true, out var sa, out var ea, out var ma);
                    Unpack(b, true, out var sb, out var eb, out var mb);
                    var numerator = (UInt128)ma << 64;
                    var quotient = numerator / mb;
                    var sticky = numerator % mb != 0 ? 1UL : 0;
                    if ((quotient >> 64) != 0)
                    {
                        return RoundPack(sa != sb, ea - eb, (ulong)(quotient >> 1) | ((ulong)quotient & 1) | sticky, true, mxcsr, ref flags);
                    }
                    return RoundPack(sa != sb, ea - eb - 1, (ulong)quotient | sticky, true, mxcsr, ref flags);
                }
                error = Math.FusedMultiplyAdd(-r, y, x) * Math.Sign(y);
                break;
        }
        if (error == 0)
        {
            return BitConverter.DoubleToUInt64Bits(r);
        }
        flags |= MxPe;
        var rc = MxcsrRounding(mxcsr);
        if (rc == 1 && error < 0)
        {
            r = Math.BitDecrement(r);
        }
        else if (rc == 2 && error > 0)
        {
            r = Math.BitIncrement(r);
        }
        else if (rc == 3 && (error > 0) != (r > 0))
        {
            r = r > 0 ? Math.BitDecrement(r) : Math.BitIncrement(r);
        }
        if (double.IsInfinity(r))
        {
            flags |= MxOe;
        }
        return BitConverter.DoubleToUInt64Bits(r);
    }

    /// <summary>True when r and its neighbours are normal and finite, and error terms around r are exact.</summary>
    private static bool SafelyNormal(double r)
    {
        var m = Math.Abs(r);
        return m >= 1e-289 && m < 8.9e307;
    }

    /// <summary>SQRT: a negative operand (not -0) is invalid and then reports no DE.</summary>
    private static ulong FloatSqrt(ulong b, bool dbl, uint mxcsr, ref uint flags)
    {
        if (IsNaN(b, dbl))
        {
            return PropagateNaN(b, b, dbl, ref flags);
        }
        b = FlushDenormalQuietly(b, dbl, mxcsr);
        if (IsZero(b, dbl))
        {
            return b;
        }
        if ((b & SignBit(dbl)) != 0)
        {
            flags |= MxIe;
            return DefaultNaN(dbl);
        }
        if (IsDenormal(b, dbl))
        {
            flags |= MxDe;
        }
        if (IsInfinity(b, dbl))
        {
            return b;
        }
        Unpack(b, dbl, out _, out var exp, out var sig);
        var odd = exp & 1;
        var x = BitConverter.UInt64BitsToDouble((0x3FFUL + (ulong)odd) << 52 | ((sig << 1) >> 12));
        var r = Math.Sqrt(x);
        var residual = Math.FusedMultiplyAdd(-r, r, x);
        return RoundFromDouble(r, Math.Sign(residual), (exp - odd) / 2, dbl, mxcsr, ref flags);
    }

    /// <summary>MIN/MAX: the second operand when either is a NaN (IE, quiet or not) or both are zeros; DAZ applies first, to the NaN case too.</summary>
    private static ulong FloatMinMax(bool max, ulong a, ulong b, bool dbl, uint mxcsr, ref uint flags)
    {
        a = FlushDenormalQuietly(a, dbl, mxcsr);
        b = FlushDenormalQuietly(b, dbl, mxcsr);
        if (IsNaN(a, dbl) || IsNaN(b, dbl))
        {
            flags |= MxIe;
            return b;
        }
        a = DenormalOperand(a, dbl, mxcsr, ref flags);
        b = DenormalOperand(b, dbl, mxcsr, ref flags);
        var x = dbl ? BitConverter.UInt64BitsToDouble(a) : BitConverter.UInt32BitsToSingle((uint)a);
        var y = dbl ? BitConverter.UInt64BitsToDouble(b) : BitConverter.UInt32BitsToSingle((uint)b);
        return (max ? x > y : x < y) ? a : b;
    }
}
