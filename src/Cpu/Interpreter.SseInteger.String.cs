using System.Runtime.Intrinsics;
using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// SSE4.2 PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM. imm8 selects the element format (bits 1:0: unsigned
/// bytes, unsigned words, signed bytes, signed words), the aggregation (3:2: equal any, ranges, equal
/// each, equal ordered), the polarity (5:4) and the output (6: most significant index, or a byte/word
/// mask instead of a bit mask). String A is the register operand, B the register-or-memory operand;
/// their lengths are |EAX| and |EDX| (RAX/RDX with REX.W) saturated at the element count for the
/// explicit forms, the position of the first zero element for the implicit ones. Flags: CF = result
/// non-zero, ZF = B shorter than the register, SF = A shorter, OF = result bit 0, AF = PF = 0. The
/// memory operand needs no alignment.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static Handler SelectStringCompare(in Instruction ins, DecodedOp* op, bool memory)
    {
        var explicitLength = ins.Mnemonic is Mnemonic.Pcmpestri or Mnemonic.Pcmpestrm or Mnemonic.Pcmpestri64 or Mnemonic.Pcmpestrm64;
        var index = ins.Mnemonic is Mnemonic.Pcmpestri or Mnemonic.Pcmpistri or Mnemonic.Pcmpestri64;
        op->Condition = (byte)((explicitLength ? 1 : 0) | (index ? 2 : 0) | (explicitLength && ins.Code.ToString().Contains("64", StringComparison.Ordinal) ? 4 : 0));
        op->Extra = (byte)(memory ? 1 : 0);
        op->Size = 16;
        op->Immediate = ins.Immediate8;
        return &StringCompare;
    }

    private static int ExplicitLength(ulong register, bool wide, int count)
    {
        var value = wide ? (long)register : (int)register;
        return value >= count || value <= -count ? count : (int)Math.Abs(value);
    }

    private static int ImplicitLength(Vector128<ulong> value, bool words)
    {
        var zero = words
            ? Vector128.ExtractMostSignificantBits(Vector128.Equals(value.AsUInt16(), Vector128<ushort>.Zero))
            : Vector128.ExtractMostSignificantBits(Vector128.Equals(value.AsByte(), Vector128<byte>.Zero));
        return zero == 0 ? (words ? 8 : 16) : System.Numerics.BitOperations.TrailingZeroCount(zero);
    }

    private static int Element(Vector128<ulong> value, int i, int format) => format switch
    {
        0 => value.AsByte().GetElement(i),
        1 => value.AsUInt16().GetElement(i),
        2 => value.AsSByte().GetElement(i),
        _ => value.AsInt16().GetElement(i),
    };

    /// <summary>Condition bit 0 = explicit lengths, bit 1 = index output (ECX) instead of mask (XMM0), bit 2 = 64-bit length registers.</summary>
    private static bool StringCompare(X86Cpu c, DecodedOp* op)
    {
        if (!c.SseUsable() || !c.ReadIntegerSource(op, out var b))
        {
            return false;
        }
        var a = c.LoadXmm(op->R0);
        var imm = (int)op->Immediate;
        var format = imm & 3;
        var words = (format & 1) != 0;
        var count = words ? 8 : 16;
        int lengthA, lengthB;
        if ((op->Condition & 1) != 0)
        {
            var wide = (op->Condition & 4) != 0;
            lengthA = ExplicitLength(c._g[0], wide, count);
            lengthB = ExplicitLength(c._g[2], wide, count);
        }
        else
        {
            lengthA = ImplicitLength(a, words);
            lengthB = ImplicitLength(b, words);
        }
        var result = Aggregate(a, b, lengthA, lengthB, count, format, (imm >> 2) & 3);
        var all = (1 << count) - 1;
        result = ((imm >> 4) & 3) switch
        {
            1 => ~result & all,
            3 => result ^ ((1 << lengthB) - 1),
            _ => result,
        };
        if ((op->Condition & 2) != 0)
        {
            c._g[1] = result == 0 ? (ulong)count : (ulong)((imm & 0x40) != 0 ? 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)result) : System.Numerics.BitOperations.TrailingZeroCount(result));
        }
        else if ((imm & 0x40) == 0)
        {
            c.StoreXmm(0, Vector128.Create((ulong)result, 0UL));
        }
        else
        {
            var mask = default(Vector128<ulong>);
            var bytes = (byte*)&mask;
            var size = words ? 2 : 1;
            for (var i = 0; i < count; i++)
            {
                if (((result >> i) & 1) != 0)
                {
                    for (var k = 0; k < size; k++)
                    {
                        bytes[(i * size) + k] = 0xFF;
                    }
                }
            }
            c.StoreXmm(0, mask);
        }
        var flags = (result != 0 ? FlagCf : 0) | (lengthB < count ? FlagZf : 0) | (lengthA < count ? FlagSf : 0) | ((result & 1) != 0 ? FlagOf : 0);
        c.SetArithFlags(flags);
        return true;
    }

    /// <summary>IntRes1: bit i for element i of B, from the comparisons of A's elements j with B's, with the rules for elements past the ends.</summary>
    private static int Aggregate(Vector128<ulong> va, Vector128<ulong> vb, int lengthA, int lengthB, int count, int format, int aggregation)
    {
        var a = stackalloc int[16];
        var b = stackalloc int[16];
        for (var i = 0; i < count; i++)
        {
            a[i] = Element(va, i, format);
            b[i] = Element(vb, i, format);
        }
        var result = 0;
        switch (aggregation)
        {
            case 0:
                for (var i = 0; i < lengthB; i++)
                {
                    var e = b[i];
                    for (var j = 0; j < lengthA; j++)
                    {
                        if (a[j] == e)
                        {
                            result |= 1 << i;
                            break;
                        }
                    }
                }
                break;
            case 1:
                for (var i = 0; i < lengthB; i++)
                {
                    var e = b[i];
                    for (var j = 0; j + 1 < lengthA; j += 2)
                    {
                        if (e >= a[j] && e <= a[j + 1])
                        {
                            result |= 1 << i;
                            break;
                        }
                    }
                }
                break;
            case 2:
                for (var i = 0; i < count; i++)
                {
                    var validA = i < lengthA;
                    var validB = i < lengthB;
                    if (validA && validB ? a[i] == b[i] : !validA && !validB)
                    {
                        result |= 1 << i;
                    }
                }
                break;
            default:
                for (var i = 0; i < count; i++)
                {
                    var match = true;
                    for (var j = 0; j < count - i && match; j++)
                    {
                        if (j >= lengthA)
                        {
                            break;
                        }
                        match = i + j < lengthB && a[j] == b[i + j];
                    }
                    if (match)
                    {
                        result |= 1 << i;
                    }
                }
                break;
        }
        return result;
    }
}
