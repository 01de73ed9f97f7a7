using System.Runtime.Intrinsics;

namespace ActorVisor.Cpu;

/// <summary>
/// The data-movement lanes of the packed-integer instructions: packs with saturation, unpacks
/// (interleaves), PSHUFD/PSHUFLW/PSHUFHW/PSHUFW, PSHUFB, PALIGNR, the blends, the sign and zero extensions
/// of PMOVSX/PMOVZX, and the element and byte shifts (counts past the lane width give zero, or the sign
/// for the arithmetic shifts).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static Vector128<ulong> ShuffleLanes(IntOp kind, Vector128<ulong> a, Vector128<ulong> b, int imm)
    {
        switch (kind)
        {
            case IntOp.UnpackLowQDQ: return Vector128.Create(a.GetElement(0), b.GetElement(0));
            case IntOp.UnpackHighQDQ: return Vector128.Create(a.GetElement(1), b.GetElement(1));
            case IntOp.ShuffleD:
                var s = b.AsUInt32();
                return Vector128.Create(s.GetElement(imm & 3), s.GetElement((imm >> 2) & 3), s.GetElement((imm >> 4) & 3), s.GetElement((imm >> 6) & 3)).AsUInt64();
            case IntOp.ShuffleBytes:
                return Vector128.Shuffle(a.AsByte(), b.AsByte() & Vector128.Create((byte)0x8F)).AsUInt64();
            case IntOp.ShiftLeftBytes:
                return imm > 15 ? default : ShiftBytes(a, imm);
            case IntOp.ShiftRightBytes:
                return imm > 15 ? default : ShiftBytes(a, -imm);
            case IntOp.ShiftLeftW: return ShiftCount(b, 16) is var cw and < 16 ? Vector128.ShiftLeft(a.AsUInt16(), cw).AsUInt64() : default;
            case IntOp.ShiftLeftD: return ShiftCount(b, 32) is var cd and < 32 ? Vector128.ShiftLeft(a.AsUInt32(), cd).AsUInt64() : default;
            case IntOp.ShiftLeftQ: return ShiftCount(b, 64) is var cq and < 64 ? Vector128.ShiftLeft(a, cq) : default;
            case IntOp.ShiftRightW: return ShiftCount(b, 16) is var sw and < 16 ? Vector128.ShiftRightLogical(a.AsUInt16(), sw).AsUInt64() : default;
            case IntOp.ShiftRightD: return ShiftCount(b, 32) is var sd and < 32 ? Vector128.ShiftRightLogical(a.AsUInt32(), sd).AsUInt64() : default;
            case IntOp.ShiftRightQ: return ShiftCount(b, 64) is var rq and < 64 ? Vector128.ShiftRightLogical(a, rq) : default;
            case IntOp.ShiftArithW: return Vector128.ShiftRightArithmetic(a.AsInt16(), Math.Min(ShiftCount(b, 16), 15)).AsUInt64();
            case IntOp.ShiftArithD: return Vector128.ShiftRightArithmetic(a.AsInt32(), Math.Min(ShiftCount(b, 32), 31)).AsUInt64();
            default:
                break;
        }
        var r = default(Vector128<ulong>);
        var ab = (byte*)&a;
        var bb = (byte*)&b;
        var rb = (byte*)&r;
        var aw = (short*)&a;
        var bw = (short*)&b;
        var rw = (short*)&r;
        var ad = (int*)&a;
        var bd = (int*)&b;
        var rd = (int*)&r;
        switch (kind)
        {
            case IntOp.UnpackLowBW:
            case IntOp.UnpackHighBW:
                var byteBase = kind == IntOp.UnpackHighBW ? 8 : 0;
                for (var i = 0; i < 8; i++)
                {
                    rb[2 * i] = ab[byteBase + i];
                    rb[(2 * i) + 1] = bb[byteBase + i];
                }
                break;
            case IntOp.UnpackLowWD:
            case IntOp.UnpackHighWD:
                var wordBase = kind == IntOp.UnpackHighWD ? 4 : 0;
                for (var i = 0; i < 4; i++)
                {
                    rw[2 * i] = aw[wordBase + i];
                    rw[(2 * i) + 1] = bw[wordBase + i];
                }
                break;
            case IntOp.UnpackLowDQ:
            case IntOp.UnpackHighDQ:
                var dwordBase = kind == IntOp.UnpackHighDQ ? 2 : 0;
                for (var i = 0; i < 2; i++)
                {
                    rd[2 * i] = ad[dwordBase + i];
                    rd[(2 * i) + 1] = bd[dwordBase + i];
                }
                break;
            case IntOp.PackSSWB:
                for (var i = 0; i < 8; i++)
                {
                    rb[i] = (byte)SaturateSByte(aw[i]);
                    rb[8 + i] = (byte)SaturateSByte(bw[i]);
                }
                break;
            case IntOp.PackUSWB:
                for (var i = 0; i < 8; i++)
                {
                    rb[i] = SaturateByte(aw[i]);
                    rb[8 + i] = SaturateByte(bw[i]);
                }
                break;
            case IntOp.PackSSDW:
                for (var i = 0; i < 4; i++)
                {
                    rw[i] = (short)Math.Clamp(ad[i], short.MinValue, short.MaxValue);
                    rw[4 + i] = (short)Math.Clamp(bd[i], short.MinValue, short.MaxValue);
                }
                break;
            case IntOp.PackUSDW:
                for (var i = 0; i < 4; i++)
                {
                    rw[i] = (short)(ushort)Math.Clamp(ad[i], 0, ushort.MaxValue);
                    rw[4 + i] = (short)(ushort)Math.Clamp(bd[i], 0, ushort.MaxValue);
                }
                break;
            case IntOp.ShuffleLowW:
            case IntOp.ShuffleHighW:
                var high = kind == IntOp.ShuffleHighW ? 4 : 0;
                r = b;
                for (var i = 0; i < 4; i++)
                {
                    rw[high + i] = bw[high + ((imm >> (2 * i)) & 3)];
                }
                break;
            case IntOp.AlignRight:
                for (var i = 0; i < 16; i++)
                {
                    var k = i + imm;
                    rb[i] = k < 16 ? bb[k] : k < 32 ? ab[k - 16] : (byte)0;
                }
                break;
            case IntOp.BlendW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = ((imm >> i) & 1) != 0 ? bw[i] : aw[i];
                }
                break;
            case IntOp.ExtendSBW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = ((sbyte*)bb)[i];
                }
                break;
            case IntOp.ExtendSBD:
                for (var i = 0; i < 4; i++)
                {
                    rd[i] = ((sbyte*)bb)[i];
                }
                break;
            case IntOp.ExtendSBQ:
                for (var i = 0; i < 2; i++)
                {
                    ((long*)rb)[i] = ((sbyte*)bb)[i];
                }
                break;
            case IntOp.ExtendSWD:
                for (var i = 0; i < 4; i++)
                {
                    rd[i] = bw[i];
                }
                break;
            case IntOp.ExtendSWQ:
                for (var i = 0; i < 2; i++)
                {
                    ((long*)rb)[i] = bw[i];
                }
                break;
            case IntOp.ExtendSDQ:
                for (var i = 0; i < 2; i++)
                {
                    ((long*)rb)[i] = bd[i];
                }
                break;
            case IntOp.ExtendZBW:
                for (var i = 0; i < 8; i++)
                {
                    rw[i] = bb[i];
                }
                break;
            case IntOp.ExtendZBD:
                for (var i = 0; i < 4; i++)
                {
                    rd[i] = bb[i];
                }
                break;
            case IntOp.ExtendZBQ:
                for (var i = 0; i < 2; i++)
                {
                    ((long*)rb)[i] = bb[i];
                }
                break;
            case IntOp.ExtendZWD:
                for (var i = 0; i < 4; i++)
                {
                    rd[i] = (ushort)bw[i];
                }
                break;
            case IntOp.ExtendZWQ:
                for (var i = 0; i < 2; i++)
                {
                    ((long*)rb)[i] = (ushort)bw[i];
                }
                break;
            case IntOp.ExtendZDQ:
                for (var i = 0; i < 2; i++)
                {
                    ((long*)rb)[i] = (uint)bd[i];
                }
                break;
            default:
                throw new InvalidOperationException($"lane operation {kind} has no implementation");
        }
        return r;
    }

    /// <summary>The shift count of PSLL/PSRL/PSRA by register: the low 64 bits of the source, saturated at <paramref name="width"/>.</summary>
    private static int ShiftCount(Vector128<ulong> count, int width) => (int)Math.Min(count.GetElement(0), (ulong)width);

    /// <summary>PSLLDQ (positive <paramref name="bytes"/>) and PSRLDQ (negative): the 128-bit value shifted by whole bytes.</summary>
    private static Vector128<ulong> ShiftBytes(Vector128<ulong> value, int bytes)
    {
        var v = ((UInt128)value.GetElement(1) << 64) | value.GetElement(0);
        v = bytes >= 0 ? v << (8 * bytes) : v >> (-8 * bytes);
        return Vector128.Create((ulong)v, (ulong)(v >> 64));
    }
}
