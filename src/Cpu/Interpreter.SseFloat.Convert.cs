using System.Numerics;

namespace ActorVisor.Cpu;

/// <summary>
/// Conversions, rounding to an integral value, compares and the reciprocal approximations on single
/// elements, under an MXCSR (see <c>Interpreter.SseFloat.Ieee.cs</c> for the conventions).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const uint IntegerIndefinite32 = 0x80000000;
    private const ulong IntegerIndefinite64 = 0x8000000000000000UL;

    private static double ToHostDouble(ulong v, bool dbl) => dbl ? BitConverter.UInt64BitsToDouble(v) : BitConverter.UInt32BitsToSingle((uint)v);

    private static ulong FromHostDouble(double d, bool dbl) => dbl ? BitConverter.DoubleToUInt64Bits(d) : BitConverter.SingleToUInt32Bits((float)d);

    private static ulong FlushDenormalQuietly(ulong v, bool dbl, uint mxcsr) =>
        (mxcsr & MxDaz) != 0 && IsDenormal(v, dbl) ? v & SignBit(dbl) : v;

    private static double RoundIntegral(double x, int rc) => rc switch
    {
        0 => Math.Round(x, MidpointRounding.ToEven),
        1 => Math.Floor(x),
        2 => Math.Ceiling(x),
        _ => Math.Truncate(x),
    };

    /// <summary>CVT(T)SS2SI, CVT(T)SD2SI, CVT(T)PS2DQ, CVT(T)PD2DQ: NaN or out of range gives the integer indefinite (IE); inexact sets PE.</summary>
    private static ulong FloatToInteger(ulong v, bool dbl, bool wide, bool truncate, uint mxcsr, ref uint flags)
    {
        var indefinite = wide ? IntegerIndefinite64 : IntegerIndefinite32;
        if (IsNaN(v, dbl))
        {
            flags |= MxIe;
            return indefinite;
        }
        var x = ToHostDouble(FlushDenormalQuietly(v, dbl, mxcsr), dbl);
        var r = RoundIntegral(x, truncate ? 3 : MxcsrRounding(mxcsr));
        var inRange = wide ? r >= -9223372036854775808.0 && r < 9223372036854775808.0 : r >= -2147483648.0 && r < 2147483648.0;
        if (!inRange)
        {
            flags |= MxIe;
            return indefinite;
        }
        if (r != x)
        {
            flags |= MxPe;
        }
        return wide ? (ulong)(long)r : (uint)(int)r;
    }

    /// <summary>CVTSI2SS/SD, CVTDQ2PS/PD: a signed integer rounded to the destination (PE when inexact).</summary>
    private static ulong IntegerToFloat(long value, bool dbl, uint mxcsr, ref uint flags)
    {
        if (value is > -(1L << 24) and < 1L << 24)
        {
            return FromHostDouble(value, dbl);
        }
        if (dbl && value is > -(1L << 53) and < 1L << 53)
        {
            return BitConverter.DoubleToUInt64Bits(value);
        }
        var negative = value < 0;
        var magnitude = negative ? (ulong)-value : (ulong)value;
        var lz = BitOperations.LeadingZeroCount(magnitude);
        return RoundPack(negative, 63 - lz, magnitude << lz, dbl, mxcsr, ref flags);
    }

    /// <summary>CVTSS2SD/CVTPS2PD (single to double, exact) and CVTSD2SS/CVTPD2PS (double to single, rounded).</summary>
    private static ulong FloatToFloat(ulong v, bool fromDouble, uint mxcsr, ref uint flags)
    {
        if (IsNaN(v, fromDouble))
        {
            if (IsSignalling(v, fromDouble))
            {
                flags |= MxIe;
            }
            return fromDouble
                ? (uint)((v >> 32) & SingleSign) | SingleExponent | SingleQuiet | (uint)((v & DoubleFraction) >> 29)
                : ((v & SingleSign) << 32) | DoubleExponent | DoubleQuiet | ((v & SingleFraction) << 29);
        }
        v = DenormalOperand(v, fromDouble, mxcsr, ref flags);
        if (IsZero(v, fromDouble) || IsInfinity(v, fromDouble))
        {
            var negative = (v & SignBit(fromDouble)) != 0;
            return IsZero(v, fromDouble) ? (negative ? SignBit(!fromDouble) : 0) : Infinity(negative, !fromDouble);
        }
        if (!fromDouble)
        {
            return BitConverter.DoubleToUInt64Bits(BitConverter.UInt32BitsToSingle((uint)v));
        }
        Unpack(v, dbl: true, out var sign, out var exp, out var sig);
        return RoundPack(sign, exp, sig, dbl: false, mxcsr, ref flags);
    }

    /// <summary>ROUNDSS/SD/PS/PD: imm bits 1:0 the rounding (bit 2 set: MXCSR.RC instead), bit 3 suppresses PE.</summary>
    private static ulong FloatRound(ulong v, bool dbl, int imm, uint mxcsr, ref uint flags)
    {
        if (IsNaN(v, dbl))
        {
            if (IsSignalling(v, dbl))
            {
                flags |= MxIe;
            }
            return Quiet(v, dbl);
        }
        v = FlushDenormalQuietly(v, dbl, mxcsr);
        if (IsZero(v, dbl) || IsInfinity(v, dbl))
        {
            return v;
        }
        var x = ToHostDouble(v, dbl);
        var r = RoundIntegral(x, (imm & 4) != 0 ? MxcsrRounding(mxcsr) : imm & 3);
        if (r != x && (imm & 8) == 0)
        {
            flags |= MxPe;
        }
        var bits = FromHostDouble(r, dbl);
        return r == 0 ? (v & SignBit(dbl)) : bits;
    }

    /// <summary>The CMPPS/CMPSS/CMPPD/CMPSD predicate (imm bits 2:0); the ordered-signalling ones (LT, LE, NLT, NLE) raise IE on any NaN.</summary>
    private static bool FloatPredicate(ulong a, ulong b, bool dbl, int predicate, uint mxcsr, ref uint flags)
    {
        var unordered = IsNaN(a, dbl) || IsNaN(b, dbl);
        predicate &= 7;
        if (unordered)
        {
            if (predicate is 1 or 2 or 5 or 6 || IsSignalling(a, dbl) || IsSignalling(b, dbl))
            {
                flags |= MxIe;
            }
        }
        else
        {
            a = DenormalOperand(a, dbl, mxcsr, ref flags);
            b = DenormalOperand(b, dbl, mxcsr, ref flags);
        }
        var x = ToHostDouble(a, dbl);
        var y = ToHostDouble(b, dbl);
        return predicate switch
        {
            0 => !unordered && x == y,
            1 => !unordered && x < y,
            2 => !unordered && x <= y,
            3 => unordered,
            4 => unordered || x != y,
            5 => unordered || !(x < y),
            6 => unordered || !(x <= y),
            _ => !unordered,
        };
    }

    /// <summary>COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF (all set when unordered); IE on a signalling NaN, or on any NaN for COMIS.</summary>
    private static ulong FloatCompareFlags(ulong a, ulong b, bool dbl, bool signalling, uint mxcsr, ref uint flags)
    {
        if (IsNaN(a, dbl) || IsNaN(b, dbl))
        {
            if (signalling || IsSignalling(a, dbl) || IsSignalling(b, dbl))
            {
                flags |= MxIe;
            }
            return FlagZf | FlagPf | FlagCf;
        }
        a = DenormalOperand(a, dbl, mxcsr, ref flags);
        b = DenormalOperand(b, dbl, mxcsr, ref flags);
        var x = ToHostDouble(a, dbl);
        var y = ToHostDouble(b, dbl);
        return x < y ? FlagCf : x == y ? FlagZf : 0;
    }

    /// <summary>
    /// RCPSS/RCPPS and RSQRTSS/RSQRTPS: the correctly rounded single of 1/x or 1/sqrt(x) (relative error at
    /// most 2^-24, inside the architectural bound of 1.5 * 2^-12; the host's table-based approximation is
    /// not reproduced). Denormal inputs count as zeros, tiny reciprocals are flushed to zero, NaNs are
    /// quieted, a negative RSQRT operand gives the default NaN; no MXCSR flag is ever set.
    /// </summary>
    private static uint FloatReciprocal(uint v, bool squareRoot)
    {
        if (IsNaN(v, dbl: false))
        {
            return v | SingleQuiet;
        }
        var negative = (v & SingleSign) != 0;
        if ((v & SingleExponent) == 0)
        {
            return (uint)Infinity(negative, dbl: false);
        }
        if (squareRoot && negative)
        {
            return DefaultNaNSingle;
        }
        if (IsInfinity(v, dbl: false))
        {
            return negative ? SingleSign : 0;
        }
        double x = BitConverter.UInt32BitsToSingle(v);
        var r = (float)(squareRoot ? 1 / Math.Sqrt(x) : 1 / x);
        if ((BitConverter.SingleToUInt32Bits(r) & SingleExponent) == 0)
        {
            return negative ? SingleSign : 0;
        }
        return BitConverter.SingleToUInt32Bits(r);
    }
}
