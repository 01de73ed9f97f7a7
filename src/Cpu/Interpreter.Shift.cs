namespace ActorVisor.Cpu;

/// <summary>
/// Shifts and rotates (SHL, SHR, SAR, ROL, ROR, RCL, RCR, SHLD, SHRD). Flags are computed eagerly since
/// they depend on the count; a zero masked count leaves every flag unchanged. Where the architecture
/// leaves a flag undefined (OF for counts above 1, AF), the values follow what this machine's
/// processor produces, as the differential tests check.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private interface IShiftOp
    {
        static abstract ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize;
    }

    private ulong ArithBase() => MaterializeFlags() & ~ArithFlags;

    private static ulong SzpFlags<TS>(ulong r)
        where TS : struct, ISize
    {
        var f = ParityFlag(r);
        if ((r & TS.Mask) == 0)
        {
            f |= FlagZf;
        }
        if ((r & TS.Sign) != 0)
        {
            f |= FlagSf;
        }
        return f;
    }

    private struct ShlOp : IShiftOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize
        {
            var bits = TS.Bytes * 8;
            var r = count >= 64 ? 0 : (value << count) & TS.Mask;
            var cf = count <= bits && ((value >> (bits - count)) & 1) != 0;
            var f = SzpFlags<TS>(r) | (cf ? FlagCf : 0) | FlagAf;
            if (((r & TS.Sign) != 0) ^ cf)
            {
                f |= FlagOf;
            }
            c.SetArithFlags(f);
            return r;
        }
    }

    private struct ShrOp : IShiftOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize
        {
            var r = count >= 64 ? 0 : value >> count;
            var cf = count <= 64 && ((value >> (count - 1)) & 1) != 0;
            var f = SzpFlags<TS>(r) | (cf ? FlagCf : 0) | FlagAf;
            if (count == 1 && (value & TS.Sign) != 0)
            {
                f |= FlagOf;
            }
            c.SetArithFlags(f);
            return r;
        }
    }

    private struct SarOp : IShiftOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize
        {
            var bits = TS.Bytes * 8;
            var signed = (long)(value << (64 - bits)) >> (64 - bits);
            var r = (ulong)(signed >> Math.Min(count, 63)) & TS.Mask;
            var cf = ((signed >> Math.Min(count - 1, 63)) & 1) != 0;
            var f = SzpFlags<TS>(r) | (cf ? FlagCf : 0) | FlagAf;
            c.SetArithFlags(f);
            return r;
        }
    }

    private struct RolOp : IShiftOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize
        {
            var bits = TS.Bytes * 8;
            var n = count & (bits - 1);
            var r = n == 0 ? value : ((value << n) | (value >> (bits - n))) & TS.Mask;
            var cf = (r & 1) != 0;
            var f = c.MaterializeFlags() & ~(FlagCf | FlagOf);
            f |= cf ? FlagCf : 0;
            if (((r & TS.Sign) != 0) ^ cf)
            {
                f |= FlagOf;
            }
            c.SetArithFlags(f);
            return r;
        }
    }

    private struct RorOp : IShiftOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize
        {
            var bits = TS.Bytes * 8;
            var n = count & (bits - 1);
            var r = n == 0 ? value : ((value >> n) | (value << (bits - n))) & TS.Mask;
            var msb = (r & TS.Sign) != 0;
            var next = (r & (TS.Sign >> 1)) != 0;
            var f = c.MaterializeFlags() & ~(FlagCf | FlagOf);
            f |= msb ? FlagCf : 0;
            if (msb ^ next)
            {
                f |= FlagOf;
            }
            c.SetArithFlags(f);
            return r;
        }
    }

    private struct RclOp : IShiftOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize
        {
            var bits = TS.Bytes * 8;
            var n = TS.Bytes == 1 ? count % 9 : TS.Bytes == 2 ? count % 17 : count;
            var flags = c.MaterializeFlags();
            var cf = (flags & FlagCf) != 0;
            var r = value;
            for (var i = 0; i < n; i++)
            {
                var outBit = (r & TS.Sign) != 0;
                r = ((r << 1) | (cf ? 1UL : 0)) & TS.Mask;
                cf = outBit;
            }
            var f = flags & ~(FlagCf | FlagOf);
            f |= cf ? FlagCf : 0;
            if (((r & TS.Sign) != 0) ^ cf)
            {
                f |= FlagOf;
            }
            _ = bits;
            c.SetArithFlags(f);
            return r;
        }
    }

    private struct RcrOp : IShiftOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong value, int count)
            where TS : struct, ISize
        {
            var n = TS.Bytes == 1 ? count % 9 : TS.Bytes == 2 ? count % 17 : count;
            var flags = c.MaterializeFlags();
            var cf = (flags & FlagCf) != 0;
            var r = value;
            var f = flags & ~(FlagCf | FlagOf);
            for (var i = 0; i < n; i++)
            {
                var outBit = (r & 1) != 0;
                r = (r >> 1) | (cf ? TS.Sign : 0);
                cf = outBit;
            }
            if (((r & TS.Sign) != 0) ^ ((r & (TS.Sign >> 1)) != 0))
            {
                f |= FlagOf;
            }
            f |= cf ? FlagCf : 0;
            c.SetArithFlags(f);
            return r;
        }
    }

    /// <summary>Shift r/m by an immediate (Extra = 0, count in Immediate) or by CL (Extra = 1).</summary>
    private static bool Shift<TOp, TS, TD>(X86Cpu c, DecodedOp* op)
        where TOp : struct, IShiftOp
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var count = (int)(op->Extra != 0 ? c._g[1] : op->Immediate) & (TS.Bytes == 8 ? 0x3F : 0x1F);
        if (count == 0)
        {
            if (TD.IsMemory)
            {
                return TD.Load<TS>(c, op, out _);
            }
            if (TS.Bytes == 4)
            {
                c._g[op->R0] = (uint)c._g[op->R0];
            }
            return true;
        }
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        TD.End<TS>(c, p, TOp.Exec<TS>(c, TS.Load(p), count));
        return true;
    }

    /// <summary>SHLD/SHRD r/m, r, imm8/CL (Condition = 0 for left, 1 for right).</summary>
    private static bool DoubleShift<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var count = (int)(op->Extra != 0 ? c._g[1] : op->Immediate) & (TS.Bytes == 8 ? 0x3F : 0x1F);
        if (count == 0)
        {
            if (!TD.IsMemory && TS.Bytes == 4)
            {
                c._g[op->R0] = (uint)c._g[op->R0];
            }
            return !TD.IsMemory || TD.Load<TS>(c, op, out _);
        }
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        var bits = TS.Bytes * 8;
        var dst = TS.Load(p);
        var src = TS.GetReg(c._g, op->R1);
        ulong r;
        bool cf;
        if (op->Condition == 0)
        {
            var wide = ((UInt128)dst << bits) | src;
            var shifted = wide << count;
            r = (ulong)(shifted >> bits) & TS.Mask;
            if (count > bits)
            {
                r = (ulong)((((UInt128)src << bits) | dst) << (count - bits) >> bits) & TS.Mask;
            }
            cf = count <= bits ? ((dst >> (bits - count)) & 1) != 0 : ((src >> (2 * bits - count)) & 1) != 0;
        }
        else
        {
            var wide = ((UInt128)src << bits) | dst;
            r = (ulong)(wide >> count) & TS.Mask;
            if (count > bits)
            {
                r = (ulong)(((((UInt128)dst << bits) | src) >> (count - bits))) & TS.Mask;
            }
            cf = count <= bits ? ((dst >> (count - 1)) & 1) != 0 : ((src >> (count - bits - 1)) & 1) != 0;
        }
        var f = SzpFlags<TS>(r) | (cf ? FlagCf : 0) | FlagAf;
        var msb = (r & TS.Sign) != 0;
        var overflow = op->Condition == 0 ? msb ^ cf : msb ^ ((r & (TS.Sign >> 1)) != 0);
        if (overflow)
        {
            f |= FlagOf;
        }
        c.SetArithFlags(f);
        TD.End<TS>(c, p, r);
        return true;
    }
}
