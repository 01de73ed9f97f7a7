using System.Runtime.Intrinsics;

namespace ActorVisor.Cpu;

/// <summary>
/// The lane arithmetic of the packed-integer instructions on one 128-bit value: wrapping and saturating
/// add/subtract, multiplies, multiply-add, sums of absolute differences, averages, min/max, compares,
/// logic, absolute value, sign, horizontal add/subtract, PHMINPOSUW and MPSADBW. <c>a</c> is the
/// destination's old value and <c>b</c> the source; the MMX forms run the same code on 64-bit halves
/// (see <see cref="MmxLanes"/>).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static sbyte SaturateSByte(int v) => (sbyte)Math.Clamp(v, sbyte.MinValue, sbyte.MaxValue);

    private static short SaturateShort(int v) => (short)Math.Clamp(v, short.MinValue, short.MaxValue);

    private static byte SaturateByte(int v) => (byte)Math.Clamp(v, 0, byte.MaxValue);

    private static ushort SaturateUShort(int v) => (ushort)Math.Clamp(v, 0, ushort.MaxValue);

    private static Vector128<ulong> ArithmeticLanes(IntOp kind, Vector128<ulong> a, Vector128<ulong> b, int imm)
    {
        switch (kind)
        {
            case IntOp.AddB: return (a.AsByte() + b.AsByte()).AsUInt64();
            case IntOp.AddW: return (a.AsUInt16() + b.AsUInt16()).AsUInt64();
            case IntOp.AddD: return (a.AsUInt32() + b.AsUInt32()).AsUInt64();
            case IntOp.AddQ: return a + b;
            case IntOp.SubB: return (a.AsByte() - b.AsByte()).AsUInt64();
            case IntOp.SubW: return (a.AsUInt16() - b.AsUInt16()).AsUInt64();
            case IntOp.SubD: return (a.AsUInt32() - b.AsUInt32()).AsUInt64();
            case IntOp.SubQ: return a - b;
            case IntOp.And: return a & b;
            case IntOp.AndNot: return ~a & b;
            case IntOp.Or: return a | b;
            case IntOp.Xor: return a ^ b;
            case IntOp.CmpEqB: return Vector128.Equals(a.AsByte(), b.AsByte()).AsUInt64();
            case IntOp.CmpEqW: return Vector128.Equals(a.AsUInt16(), b.AsUInt16()).AsUInt64();
            case IntOp.CmpEqD: return Vector128.Equals(a.AsUInt32(), b.AsUInt32()).AsUInt64();
            case IntOp.CmpEqQ: return Vector128.Equals(a, b);
            case IntOp.CmpGtB: return Vector128.GreaterThan(a.AsSByte(), b.AsSByte()).AsUInt64();
            case IntOp.CmpGtW: return Vector128.GreaterThan(a.AsInt16(), b.AsInt16()).AsUInt64();
            case IntOp.CmpGtD: return Vector128.GreaterThan(a.AsInt32(), b.AsInt32()).AsUInt64();
            case IntOp.CmpGtQ: return Vector128.GreaterThan(a.AsInt64(), b.AsInt64()).AsUInt64();
            case IntOp.MinUB: return Vector128.Min(a.AsByte(), b.AsByte()).AsUInt64();
            case IntOp.MaxUB: return Vector128.Max(a.AsByte(), b.AsByte()).AsUInt64();
            case IntOp.MinSB: return Vector128.Min(a.AsSByte(), b.AsSByte()).AsUInt64();
            case IntOp.MaxSB: return Vector128.Max(a.AsSByte(), b.AsSByte()).AsUInt64();
            case IntOp.MinUW: return Vector128.Min(a.AsUInt16(), b.AsUInt16()).AsUInt64();
            case IntOp.MaxUW: return Vector128.Max(a.AsUInt16(), b.AsUInt16()).AsUInt64();
            case IntOp.MinSW: return Vector128.Min(a.AsInt16(), b.AsInt16()).AsUInt64();
            case IntOp.MaxSW: return Vector128.Max(a.AsInt16(), b.AsInt16()).AsUInt64();
            case IntOp.MinUD: return Vector128.Min(a.AsUInt32(), b.AsUInt32()).AsUInt64();
            case IntOp.MaxUD: return Vector128.Max(a.AsUInt32(), b.AsUInt32()).AsUInt64();
            case IntOp.MinSD: return Vector128.Min(a.AsInt32(), b.AsInt32()).AsUInt64();
            case IntOp.MaxSD: return Vector128.Max(a.AsInt32(), b.AsInt32()).AsUInt64();
            case IntOp.MulLowW: return (a.AsUInt16() * b.AsUInt16()).AsUInt64();
            case IntOp.MulLowD: return (a.AsUInt32() * b.AsUInt32()).AsUInt64();
            case IntOp.AbsB: return Vector128.Abs(b.AsSByte()).AsUInt64();
            case IntOp.AbsW: return Vector128.Abs(b.AsInt16()).AsUInt64();
            case IntOp.AbsD: return Vector128.Abs(b.AsInt32()).AsUInt64();
            case IntOp.MulUDQ: return Vector128.Create((ulong)(uint)a.GetElement(0) * (uint)b.GetElement(0), (ulong)(uint)a.GetElement(1) * (uint)b.GetElement(1));
            case IntOp.MulSDQ: return Vector128.Create((ulong)((long)(int)a.GetElement(0) * (int)b.GetElement(0)), (ulong)((long)(int)a.GetElement(1) * (int)b.GetElement(1)));
            default: return ScalarLanes(kind, a, b, imm);
        }
    }

    /// <summary>The lane operations with no direct portable vector form, one lane at a time.</summary>
    private static Vector128<ulong> ScalarLanes(IntOp kind, Vector128<ulong> a, Vector128<ulong> b, int imm)
    {
        var r = default(Vector128<ulong>);
        var ab = (byte*)&a;
        var bb = (byte*)&b;
        var rb = (byte*)&r;
        var asb = (sbyte*)&a;
        var bsb = (sbyte*)&b;
        var aw = (short*)&a;
        var bw = (short*)&b;
        var auw = (ushort*)&a;
        var buw = (ushort*)&b;
        var rw = (short*)&r;
        var ruw = (ushort*)&r;
        var ad = (int*)&a;
        var bd = (int*)&b;
        var rd = (int*)&r;
        switch (kind)
        {
            case IntOp.AddSatSB:
                for (var i = 0; i < 16; i++)
                {
                    rb[i] = (byte)SaturateSByte(asb[i] + bsb[i]);
                }
                break;
            case IntOp.SubSatSB:
                for (var i = 0; i < 16; i++)
                {
                    rb[i] = (byte)SaturateSByte(asb[i] - bsb[i]);
                }
                break;
            case IntOp.AddSatUB:
                for (var i = 0; i < 16; i++)
                {
                    rb[i] = SaturateByte(ab[i] + bb[i]);
                }
                break;
            case IntOp.SubSatUB:
                for (var i = 0; i < 16; i++)
                {
                    rb[i] = SaturateByte(ab[i] - bb[i]);
                }
                break;
            case IntOp.AddSatSW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = SaturateShort(aw[i] + bw[i]);
                }
                break;
            case IntOp.SubSatSW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = SaturateShort(aw[i] - bw[i]);
                }
                break;
            case IntOp.AddSatUW:
                for (var i = 0; i < 8; i++)
                {
                    ruw[i] = SaturateUShort(auw[i] + buw[i]);
                }
                break;
            case IntOp.SubSatUW:
                for (var i = 0; i < 8; i++)
                {
                    ruw[i] = SaturateUShort(auw[i] - buw[i]);
                }
                break;
            case IntOp.MulHighSW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = (short)((aw[i] * bw[i]) >> 16);
                }
                break;
            case IntOp.MulHighUW:
                for (var i = 0; i < 8; i++)
                {
                    ruw[i] = (ushort)((auw[i] * buw[i]) >> 16);
                }
                break;
            case IntOp.MulHighRoundSW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = (short)((((aw[i] * bw[i]) >> 14) + 1) >> 1);
                }
                break;
            case IntOp.MaddWD:
                for (var i = 0; i < 4; i++)
                {
                    rd[i] = (int)((uint)(aw[2 * i] * bw[2 * i]) + (uint)(aw[(2 * i) + 1] * bw[(2 * i) + 1]));
                }
                break;
            case IntOp.MaddUBSW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = SaturateShort((ab[2 * i] * bsb[2 * i]) + (ab[(2 * i) + 1] * bsb[(2 * i) + 1]));
                }
                break;
            case IntOp.SadBW:
                for (var half = 0; half < 2; half++)
                {
                    var sum = 0;
                    for (var i = 0; i < 8; i++)
                    {
                        sum += Math.Abs(ab[(8 * half) + i] - bb[(8 * half) + i]);
                    }
                    ((ulong*)&r)[half] = (ulong)sum;
                }
                break;
            case IntOp.AvgB:
                for (var i = 0; i < 16; i++)
                {
                    rb[i] = (byte)((ab[i] + bb[i] + 1) >> 1);
                }
                break;
            case IntOp.AvgW:
                for (var i = 0; i < 8; i++)
                {
                    ruw[i] = (ushort)((auw[i] + buw[i] + 1) >> 1);
                }
                break;
            case IntOp.SignB:
                for (var i = 0; i < 16; i++)
                {
                    rb[i] = (byte)(bsb[i] < 0 ? -asb[i] : bsb[i] == 0 ? 0 : asb[i]);
                }
                break;
            case IntOp.SignW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = (short)(bw[i] < 0 ? -aw[i] : bw[i] == 0 ? 0 : aw[i]);
                }
                break;
            case IntOp.SignD:
                for (var i = 0; i < 4; i++)
                {
                    rd[i] = bd[i] < 0 ? (int)(0u - (uint)ad[i]) : bd[i] == 0 ? 0 : ad[i];
                }
                break;
            case IntOp.HAddW:
            case IntOp.HSubW:
            case IntOp.HAddSW:
            case IntOp.HSubSW:
                for (var i = 0; i < 8; i++)
                {
                    var s = i < 4 ? aw : bw;
                    var j = 2 * (i & 3);
                    var v = kind is IntOp.HAddW or IntOp.HAddSW ? s[j] + s[j + 1] : s[j] - s[j + 1];
                    rw[i] = kind is IntOp.HAddSW or IntOp.HSubSW ? SaturateShort(v) : (short)v;
                }
                break;
            case IntOp.HAddD:
            case IntOp.HSubD:
                for (var i = 0; i < 4; i++)
                {
                    var s = i < 2 ? ad : bd;
                    var j = 2 * (i & 1);
                    rd[i] = (int)(kind == IntOp.HAddD ? (uint)s[j] + (uint)s[j + 1] : (uint)s[j] - (uint)s[j + 1]);
                }
                break;
            case IntOp.MinPosUW:
                var min = 0;
                for (var i = 1; i < 8; i++)
                {
                    if (buw[i] < buw[min])
                    {
                        min = i;
                    }
                }
                ruw[0] = buw[min];
                ruw[1] = (ushort)min;
                break;
            case IntOp.MpsadBW:
                var first = 4 * ((imm >> 2) & 1);
                var second = 4 * (imm & 3);
                for (var i = 0; i < 8; i++)
                {
                    var sum = 0;
                    for (var k = 0; k < 4; k++)
                    {
                        sum += Math.Abs(ab[first + i + k] - bb[second + k]);
                    }
                    ruw[i] = (ushort)sum;
                }
                break;
            default:
                return ShuffleLanes(kind, a, b, imm);
        }
        return r;
    }
}
