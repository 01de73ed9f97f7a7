using System.Numerics;
using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// General-purpose integer extensions: the VEX-encoded BMI1 (ANDN, BEXTR, BLSI, BLSMSK, BLSR) and BMI2
/// (BZHI, MULX, PDEP, PEXT, RORX, SARX, SHLX, SHRX) forms, which are the only VEX instructions the CPU
/// accepts (every other VEX form has no handler and raises #UD), SSE4.2 CRC32 (CRC-32C, no pre- or
/// post-inversion, as the instruction defines it) and MOVBE.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private enum BmiOp : byte
    {
        Andn,
        Bextr,
        Blsi,
        Blsmsk,
        Blsr,
        Bzhi,
        Mulx,
        Pdep,
        Pext,
        Rorx,
        Sarx,
        Shlx,
        Shrx,
    }

    /// <summary>
    /// Operands of a BMI form: R0 = destination (the high half for MULX), R1 = the other register operand
    /// (VEX.vvvv, or the low-half destination of MULX, or the ModRM.reg of ANDN/PDEP/PEXT's first source),
    /// R2 = the r/m register, or memory when Extra bit 0; Size = 4 or 8.
    /// </summary>
    private static Handler SelectBitManipulation(in Instruction ins, DecodedOp* op)
    {
        BmiOp kind;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Andn: kind = BmiOp.Andn; break;
            case Mnemonic.Bextr: kind = BmiOp.Bextr; break;
            case Mnemonic.Blsi: kind = BmiOp.Blsi; break;
            case Mnemonic.Blsmsk: kind = BmiOp.Blsmsk; break;
            case Mnemonic.Blsr: kind = BmiOp.Blsr; break;
            case Mnemonic.Bzhi: kind = BmiOp.Bzhi; break;
            case Mnemonic.Mulx: kind = BmiOp.Mulx; break;
            case Mnemonic.Pdep: kind = BmiOp.Pdep; break;
            case Mnemonic.Pext: kind = BmiOp.Pext; break;
            case Mnemonic.Rorx: kind = BmiOp.Rorx; break;
            case Mnemonic.Sarx: kind = BmiOp.Sarx; break;
            case Mnemonic.Shlx: kind = BmiOp.Shlx; break;
            case Mnemonic.Shrx: kind = BmiOp.Shrx; break;
            default: return null;
        }
        op->Condition = (byte)kind;
        op->Size = (byte)ins.Op0Register.GetSize();
        op->Extra = 0;
        op->R0 = RegIndex(ins.Op0Register);
        // Operand order per form: (dst, vvvv, rm) for ANDN/MULX/PDEP/PEXT, (dst, rm, vvvv) for BEXTR/BZHI/SARX/SHLX/SHRX,
        // (vvvv dst, rm) for BLSI/BLSMSK/BLSR, (dst, rm, imm8) for RORX.
        var rmAt = kind is BmiOp.Andn or BmiOp.Mulx or BmiOp.Pdep or BmiOp.Pext ? 2 : 1;
        var otherAt = rmAt == 2 ? 1 : 2;
        if (ins.GetOpKind(rmAt) == OpKind.Memory)
        {
            op->Extra = 1;
        }
        else
        {
            op->R2 = RegIndex(ins.GetOpRegister(rmAt));
        }
        op->R1 = otherAt < ins.OpCount && ins.GetOpKind(otherAt) == OpKind.Register ? RegIndex(ins.GetOpRegister(otherAt)) : ZeroRegister;
        op->Immediate = kind == BmiOp.Rorx ? ins.Immediate8 : 0UL;
        return &BitManipulation;
    }

    private static bool BitManipulation(X86Cpu c, DecodedOp* op)
    {
        var wide = op->Size == 8;
        var bits = wide ? 64 : 32;
        var mask = wide ? ulong.MaxValue : 0xFFFFFFFFUL;
        ulong rm;
        if ((op->Extra & 1) != 0)
        {
            if (!(wide ? c.TryRead<S64>(c.Ea(op), out rm) : c.TryRead<S32>(c.Ea(op), out rm)))
            {
                return false;
            }
        }
        else
        {
            rm = c._g[op->R2] & mask;
        }
        var other = c._g[op->R1] & mask;
        var sign = wide ? 1UL << 63 : 1UL << 31;
        ulong result;
        ulong flags;
        switch ((BmiOp)op->Condition)
        {
            case BmiOp.Andn:
                result = ~other & rm & mask;
                flags = ResultFlags(result, sign);
                break;
            case BmiOp.Bextr:
                var start = (int)(other & 0xFF);
                var length = (int)((other >> 8) & 0xFF);
                result = start >= bits ? 0 : rm >> start;
                if (length < bits)
                {
                    result &= (1UL << length) - 1;
                }
                flags = result == 0 ? FlagZf : 0;
                break;
            case BmiOp.Blsi:
                result = rm & (0 - rm) & mask;
                flags = ResultFlags(result, sign) | (rm != 0 ? FlagCf : 0);
                break;
            case BmiOp.Blsmsk:
                result = (rm ^ (rm - 1)) & mask;
                flags = (result & sign) != 0 ? FlagSf : 0;
                flags |= rm == 0 ? FlagCf : 0;
                break;
            case BmiOp.Blsr:
                result = rm & (rm - 1) & mask;
                flags = ResultFlags(result, sign) | (rm == 0 ? FlagCf : 0);
                break;
            case BmiOp.Bzhi:
                var index = (int)(other & 0xFF);
                result = index < bits ? rm & ((1UL << index) - 1) : rm;
                flags = ResultFlags(result, sign) | (index > bits - 1 ? FlagCf : 0);
                break;
            case BmiOp.Mulx:
                var product = (UInt128)(c._g[2] & mask) * rm;
                var low = wide ? (ulong)product : (ulong)product & mask;
                var high = wide ? (ulong)(product >> 64) : ((ulong)product >> 32) & mask;
                c._g[op->R1] = low;
                c._g[op->R0] = high;
                return true;
            case BmiOp.Pdep:
                result = Deposit(other, rm);
                c._g[op->R0] = result & mask;
                return true;
            case BmiOp.Pext:
                result = Extract(other, rm);
                c._g[op->R0] = result & mask;
                return true;
            case BmiOp.Rorx:
                var rotate = (int)op->Immediate & (bits - 1);
                c._g[op->R0] = wide ? BitOperations.RotateRight(rm, rotate) : BitOperations.RotateRight((uint)rm, rotate);
                return true;
            case BmiOp.Sarx:
                c._g[op->R0] = wide ? (ulong)((long)rm >> (int)(other & 63)) : (uint)((int)rm >> (int)(other & 31));
                return true;
            case BmiOp.Shlx:
                c._g[op->R0] = (rm << (int)(other & (ulong)(bits - 1))) & mask;
                return true;
            default:
                c._g[op->R0] = rm >> (int)(other & (ulong)(bits - 1));
                return true;
        }
        c._g[op->R0] = result;
        c.SetArithFlags(flags);
        return true;
    }

    private static ulong ResultFlags(ulong result, ulong sign) => (result == 0 ? FlagZf : 0) | ((result & sign) != 0 ? FlagSf : 0);

    /// <summary>PDEP: the low bits of <paramref name="source"/> scattered to the set bits of <paramref name="mask"/>.</summary>
    private static ulong Deposit(ulong source, ulong mask)
    {
        ulong result = 0;
        for (var bit = 0; mask != 0; mask &= mask - 1, bit++)
        {
            if (((source >> bit) & 1) != 0)
            {
                result |= mask & (0 - mask);
            }
        }
        return result;
    }

    /// <summary>PEXT: the bits of <paramref name="source"/> at the set bits of <paramref name="mask"/>, packed into the low bits.</summary>
    private static ulong Extract(ulong source, ulong mask)
    {
        ulong result = 0;
        for (var bit = 0; mask != 0; mask &= mask - 1, bit++)
        {
            if ((source & mask & (0 - mask)) != 0)
            {
                result |= 1UL << bit;
            }
        }
        return result;
    }

    /// <summary>CRC32 and MOVBE (legacy-encoded integer extras).</summary>
    private static Handler SelectIntegerExtras(in Instruction ins, DecodedOp* op)
    {
        switch (ins.Mnemonic)
        {
            case Mnemonic.Crc32:
                var memory = ins.Op1Kind == OpKind.Memory;
                op->Size = (byte)(memory ? ins.MemorySize.GetSize() : ins.Op1Register.GetSize());
                op->Extra = (byte)(memory ? 1 : 0);
                op->Condition = (byte)ins.Op0Register.GetSize();
                if (!memory && ins.Op1Register.GetSize() == 1)
                {
                    op->R1 = RegIndex(ins.Op1Register);
                }
                return &Crc32;
            case Mnemonic.Movbe:
                op->Condition = (byte)(ins.Op0Kind == OpKind.Memory ? 1 : 0);
                op->Size = (byte)(ins.Op0Kind == OpKind.Memory ? ins.Op1Register.GetSize() : ins.Op0Register.GetSize());
                return &MoveBigEndian;
            default:
                return null;
        }
    }

    /// <summary>CRC32 r32/r64, r/m8/16/32/64 (Size = source bytes, Condition = destination bytes): CRC-32C of the source folded into the destination's low 32 bits.</summary>
    private static bool Crc32(X86Cpu c, DecodedOp* op)
    {
        ulong source;
        if ((op->Extra & 1) != 0)
        {
            var ea = c.Ea(op);
            var ok = op->Size switch
            {
                1 => c.TryRead<S8>(ea, out source),
                2 => c.TryRead<S16>(ea, out source),
                4 => c.TryRead<S32>(ea, out source),
                _ => c.TryRead<S64>(ea, out source),
            };
            if (!ok)
            {
                return false;
            }
        }
        else
        {
            source = op->Size == 1 ? S8.GetReg(c._g, op->R1) : c._g[op->R1];
        }
        var crc = (uint)c._g[op->R0];
        crc = op->Size switch
        {
            1 => BitOperations.Crc32C(crc, (byte)source),
            2 => BitOperations.Crc32C(crc, (ushort)source),
            4 => BitOperations.Crc32C(crc, (uint)source),
            _ => BitOperations.Crc32C(crc, source),
        };
        c._g[op->R0] = crc;
        return true;
    }

    /// <summary>MOVBE r, m (Condition 0) and MOVBE m, r (1), Size = 2, 4 or 8: the bytes reversed; a 16-bit register keeps its upper bits.</summary>
    private static bool MoveBigEndian(X86Cpu c, DecodedOp* op)
    {
        var ea = c.Ea(op);
        if (op->Condition == 1)
        {
            var v = c._g[op->R1];
            return op->Size switch
            {
                2 => c.TryWrite<S16>(ea, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)v)),
                4 => c.TryWrite<S32>(ea, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)v)),
                _ => c.TryWrite<S64>(ea, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v)),
            };
        }
        ulong value;
        switch (op->Size)
        {
            case 2:
                if (!c.TryRead<S16>(ea, out value))
                {
                    return false;
                }
                S16.SetReg(c._g, op->R0, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)value));
                return true;
            case 4:
                if (!c.TryRead<S32>(ea, out value))
                {
                    return false;
                }
                c._g[op->R0] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)value);
                return true;
            default:
                if (!c.TryRead<S64>(ea, out value))
                {
                    return false;
                }
                c._g[op->R0] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
                return true;
        }
    }
}
