using System.Numerics;

namespace ActorVisor.Cpu;

/// <summary>Integer arithmetic and logic: two-operand ALU, INC/DEC/NOT/NEG, multiply and divide.</summary>
public sealed unsafe partial class X86Cpu
{
    private interface IAluOp
    {
        static abstract bool WritesResult { get; }
        static abstract ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize;
    }

    private struct AddOp : IAluOp
    {
        public static bool WritesResult => true;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize
        {
            var r = (a + b) & TS.Mask;
            c.SetLazy(FlagKind.Add, a, b, r, TS.Sign);
            return r;
        }
    }

    private struct AdcOp : IAluOp
    {
        public static bool WritesResult => true;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize
        {
            var carry = c.GetCf() ? 1UL : 0UL;
            var r = (a + b + carry) & TS.Mask;
            c.SetLazy(FlagKind.Adc, a, b, r, TS.Sign);
            c._flagAux = carry;
            return r;
        }
    }

    private struct SubOp : IAluOp
    {
        public static bool WritesResult => true;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize
        {
            var r = (a - b) & TS.Mask;
            c.SetLazy(FlagKind.Sub, a, b, r, TS.Sign);
            return r;
        }
    }

    private struct CmpOp : IAluOp
    {
        public static bool WritesResult => false;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize => SubOp.Exec<TS>(c, a, b);
    }

    private struct SbbOp : IAluOp
    {
        public static bool WritesResult => true;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize
        {
            var carry = c.GetCf() ? 1UL : 0UL;
            var r = (a - b - carry) & TS.Mask;
            c.SetLazy(FlagKind.Sbb, a, b, r, TS.Sign);
            c._flagAux = carry;
            return r;
        }
    }

    private struct AndOp : IAluOp
    {
        public static bool WritesResult => true;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize
        {
            var r = a & b;
            c.SetLazy(FlagKind.Logic, a, b, r, TS.Sign);
            return r;
        }
    }

    private struct TestOp : IAluOp
    {
        public static bool WritesResult => false;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize => AndOp.Exec<TS>(c, a, b);
    }

    private struct OrOp : IAluOp
    {
        public static bool WritesResult => true;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize
        {
            var r = a | b;
            c.SetLazy(FlagKind.Logic, a, b, r, TS.Sign);
            return r;
        }
    }

    private struct XorOp : IAluOp
    {
        public static bool WritesResult => true;

        public static ulong Exec<TS>(X86Cpu c, ulong a, ulong b)
            where TS : struct, ISize
        {
            var r = a ^ b;
            c.SetLazy(FlagKind.Logic, a, b, r, TS.Sign);
            return r;
        }
    }

    private static bool Alu<TOp, TS, TD, TSrc>(X86Cpu c, DecodedOp* op)
        where TOp : struct, IAluOp
        where TS : struct, ISize
        where TD : struct, IOperand
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var b))
        {
            return false;
        }
        if (TOp.WritesResult)
        {
            var p = TD.Begin<TS>(c, op);
            if (p == null)
            {
                return false;
            }
            TD.End<TS>(c, p, TOp.Exec<TS>(c, TS.Load(p), b));
            return true;
        }
        if (!TD.Load<TS>(c, op, out var a))
        {
            return false;
        }
        TOp.Exec<TS>(c, a, b);
        return true;
    }

    /// <summary>XOR r, r with the same register: the zeroing idiom, common enough to deserve its own handler.</summary>
    private static bool ZeroIdiom<TS>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
    {
        TS.SetReg(c._g, op->R0, 0);
        c.SetLazy(FlagKind.Logic, 0, 0, 0, TS.Sign);
        return true;
    }

    private interface IUnaryOp
    {
        static abstract ulong Exec<TS>(X86Cpu c, ulong a)
            where TS : struct, ISize;
    }

    private struct IncOp : IUnaryOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong a)
            where TS : struct, ISize
        {
            var carry = c.GetCf() ? 1UL : 0UL;
            var r = (a + 1) & TS.Mask;
            c.SetLazy(FlagKind.Inc, a, 1, r, TS.Sign);
            c._flagAux = carry;
            return r;
        }
    }

    private struct DecOp : IUnaryOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong a)
            where TS : struct, ISize
        {
            var carry = c.GetCf() ? 1UL : 0UL;
            var r = (a - 1) & TS.Mask;
            c.SetLazy(FlagKind.Dec, a, 1, r, TS.Sign);
            c._flagAux = carry;
            return r;
        }
    }

    private struct NotOp : IUnaryOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong a)
            where TS : struct, ISize => ~a & TS.Mask;
    }

    private struct NegOp : IUnaryOp
    {
        public static ulong Exec<TS>(X86Cpu c, ulong a)
            where TS : struct, ISize
        {
            var r = (0 - a) & TS.Mask;
            c.SetLazy(FlagKind.Sub, 0, a, r, TS.Sign);
            return r;
        }
    }

    private static bool Unary<TOp, TS, TD>(X86Cpu c, DecodedOp* op)
        where TOp : struct, IUnaryOp
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        TD.End<TS>(c, p, TOp.Exec<TS>(c, TS.Load(p)));
        return true;
    }

    /// <summary>
    /// Sets the flags after MUL/IMUL: CF = OF = "the result did not fit". SF, ZF, AF and PF are undefined
    /// architecturally; this machine's processor (AMD) leaves them unchanged, and so does the emulator.
    /// </summary>
    private void SetMulFlags<TS>(ulong low, bool overflow)
        where TS : struct, ISize
    {
        var f = MaterializeFlags() & ~(FlagCf | FlagOf);
        if (overflow)
        {
            f |= FlagCf | FlagOf;
        }
        _rflags = f;
    }

    /// <summary>MUL r/m: unsigned rDX:rAX = rAX * src (AX = AL * src for bytes).</summary>
    private static bool Mul<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var b))
        {
            return false;
        }
        var a = TS.GetReg(c._g, 0);
        ulong low, high;
        if (TS.Bytes == 8)
        {
            high = Math.BigMul(a, b, out low);
        }
        else
        {
            var product = a * b;
            low = product & TS.Mask;
            high = product >> (TS.Bytes * 8);
        }
        if (TS.Bytes == 1)
        {
            S16.SetReg(c._g, 0, (high << 8) | low);
        }
        else
        {
            TS.SetReg(c._g, 0, low);
            TS.SetReg(c._g, 2, high);
        }
        c.SetMulFlags<TS>(low, high != 0);
        return true;
    }

    /// <summary>IMUL r/m (one operand): signed rDX:rAX = rAX * src.</summary>
    private static bool Imul1<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var b))
        {
            return false;
        }
        var a = TS.GetReg(c._g, 0);
        ulong low, high;
        bool overflow;
        if (TS.Bytes == 8)
        {
            var h = Math.BigMul((long)a, (long)b, out var l);
            low = (ulong)l;
            high = (ulong)h;
            overflow = h != (l >> 63);
        }
        else
        {
            var product = (long)TS.SignExtend(a) * (long)TS.SignExtend(b);
            low = (ulong)product & TS.Mask;
            high = ((ulong)product >> (TS.Bytes * 8)) & TS.Mask;
            overflow = product != (long)TS.SignExtend((ulong)product);
        }
        if (TS.Bytes == 1)
        {
            S16.SetReg(c._g, 0, (high << 8) | low);
        }
        else
        {
            TS.SetReg(c._g, 0, low);
            TS.SetReg(c._g, 2, high);
        }
        c.SetMulFlags<TS>(low, overflow);
        return true;
    }

    /// <summary>IMUL r, r/m and IMUL r, r/m, imm: the truncated signed product into R0.</summary>
    private static bool Imul2<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var b))
        {
            return false;
        }
        var a = op->Extra != 0 ? op->Immediate : TS.GetReg(c._g, op->R0);
        ulong low;
        bool overflow;
        if (TS.Bytes == 8)
        {
            var h = Math.BigMul((long)a, (long)b, out var l);
            low = (ulong)l;
            overflow = h != (l >> 63);
        }
        else
        {
            var product = (long)TS.SignExtend(a) * (long)TS.SignExtend(b);
            low = (ulong)product & TS.Mask;
            overflow = product != (long)TS.SignExtend((ulong)product);
        }
        TS.SetReg(c._g, op->R0, low);
        c.SetMulFlags<TS>(low, overflow);
        return true;
    }

    /// <summary>DIV r/m: unsigned rDX:rAX / src; #DE on a zero divisor or a quotient that does not fit.</summary>
    private static bool Div<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var divisor))
        {
            return false;
        }
        if (divisor == 0)
        {
            return c.RaiseFault(ExceptionVector.DivideError, 0);
        }
        ulong quotient, remainder;
        if (TS.Bytes == 8)
        {
            var high = c._g[2];
            if (high >= divisor)
            {
                return c.RaiseFault(ExceptionVector.DivideError, 0);
            }
            var dividend = ((UInt128)high << 64) | c._g[0];
            quotient = (ulong)(dividend / divisor);
            remainder = (ulong)(dividend % divisor);
        }
        else
        {
            var bits = TS.Bytes * 8;
            var dividend = TS.Bytes == 1 ? S16.GetReg(c._g, 0) : (TS.GetReg(c._g, 2) << bits) | TS.GetReg(c._g, 0);
            quotient = dividend / divisor;
            remainder = dividend % divisor;
            if (quotient > TS.Mask)
            {
                return c.RaiseFault(ExceptionVector.DivideError, 0);
            }
        }
        c.SetDivideFlags();
        if (TS.Bytes == 1)
        {
            S16.SetReg(c._g, 0, (remainder << 8) | quotient);
        }
        else
        {
            TS.SetReg(c._g, 0, quotient);
            TS.SetReg(c._g, 2, remainder);
        }
        return true;
    }

    /// <summary>IDIV r/m: signed rDX:rAX / src, truncating toward zero; #DE on zero or overflow.</summary>
    private static bool Idiv<TS, TSrc>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var raw))
        {
            return false;
        }
        if (raw == 0)
        {
            return c.RaiseFault(ExceptionVector.DivideError, 0);
        }
        long quotient, remainder;
        if (TS.Bytes == 8)
        {
            var dividend = (Int128)(((UInt128)c._g[2] << 64) | c._g[0]);
            var divisor = (Int128)(long)raw;
            var q = dividend / divisor;
            if (q > long.MaxValue || q < long.MinValue)
            {
                return c.RaiseFault(ExceptionVector.DivideError, 0);
            }
            quotient = (long)q;
            remainder = (long)(dividend % divisor);
        }
        else
        {
            var bits = TS.Bytes * 8;
            var dividend = TS.Bytes == 1 ? (long)(short)S16.GetReg(c._g, 0) : (long)((TS.GetReg(c._g, 2) << bits) | TS.GetReg(c._g, 0)) << (64 - (2 * bits)) >> (64 - (2 * bits));
            var divisor = (long)TS.SignExtend(raw);
            if (dividend == long.MinValue && divisor == -1)
            {
                return c.RaiseFault(ExceptionVector.DivideError, 0);
            }
            quotient = dividend / divisor;
            remainder = dividend % divisor;
            if (quotient != (long)TS.SignExtend((ulong)quotient))
            {
                return c.RaiseFault(ExceptionVector.DivideError, 0);
            }
        }
        c.SetDivideFlags();
        if (TS.Bytes == 1)
        {
            S16.SetReg(c._g, 0, (((ulong)remainder & 0xFF) << 8) | ((ulong)quotient & 0xFF));
        }
        else
        {
            TS.SetReg(c._g, 0, (ulong)quotient & TS.Mask);
            TS.SetReg(c._g, 2, (ulong)remainder & TS.Mask);
        }
        return true;
    }

    /// <summary>DIV/IDIV leave every arithmetic flag undefined; this machine's processor keeps CF and OF, sets AF and clears SF, ZF, PF.</summary>
    private void SetDivideFlags() => _rflags = (MaterializeFlags() & ~ArithFlags) | (_rflags & (FlagCf | FlagOf)) | FlagAf;

    private static ulong ParityFlag(ulong value) => Parity(value) ? FlagPf : 0;

    private static int PopCount(ulong value) => BitOperations.PopCount(value);
}
