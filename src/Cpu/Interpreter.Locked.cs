using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// LOCK-prefixed read-modify-write on memory (and XCHG with memory, which is always locked), made atomic
/// against other vCPUs sharing the same machine memory with host compare-and-swap. An operand that
/// crosses a page boundary goes through the scratch path and is not atomic (a split lock; real
/// processors make it slow, guests avoid it). The lazy flags are restored before every retry, so ADC
/// and SBB see the original carry.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private struct LazyFlags
    {
        public FlagKind Kind;
        public ulong A;
        public ulong B;
        public ulong Result;
        public ulong Sign;
        public ulong Aux;
        public ulong Rflags;
    }

    private LazyFlags SaveFlags() => new() { Kind = _flagKind, A = _flagA, B = _flagB, Result = _flagResult, Sign = _flagSign, Aux = _flagAux, Rflags = _rflags };

    private void RestoreFlags(in LazyFlags f)
    {
        _flagKind = f.Kind;
        _flagA = f.A;
        _flagB = f.B;
        _flagResult = f.Result;
        _flagSign = f.Sign;
        _flagAux = f.Aux;
        _rflags = f.Rflags;
    }

    private static bool AluLocked<TOp, TS, TD, TSrc>(X86Cpu c, DecodedOp* op)
        where TOp : struct, IAluOp
        where TS : struct, ISize
        where TD : struct, IOperand
        where TSrc : struct, IOperand
    {
        if (!TSrc.Load<TS>(c, op, out var b))
        {
            return false;
        }
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        if (p == c._scratch)
        {
            TD.End<TS>(c, p, TOp.Exec<TS>(c, TS.Load(p), b));
            return true;
        }
        var saved = c.SaveFlags();
        while (true)
        {
            var old = TS.Load(p);
            var r = TOp.Exec<TS>(c, old, b);
            if (TS.CompareExchange(p, r, old) == old)
            {
                return true;
            }
            c.RestoreFlags(saved);
        }
    }

    private static bool UnaryLocked<TOp, TS, TD>(X86Cpu c, DecodedOp* op)
        where TOp : struct, IUnaryOp
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        if (p == c._scratch)
        {
            TD.End<TS>(c, p, TOp.Exec<TS>(c, TS.Load(p)));
            return true;
        }
        var saved = c.SaveFlags();
        while (true)
        {
            var old = TS.Load(p);
            var r = TOp.Exec<TS>(c, old);
            if (TS.CompareExchange(p, r, old) == old)
            {
                return true;
            }
            c.RestoreFlags(saved);
        }
    }

    private static bool XaddLocked<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        var src = TS.GetReg(c._g, op->R1);
        if (p == c._scratch)
        {
            var dst = TS.Load(p);
            TD.End<TS>(c, p, AddOp.Exec<TS>(c, dst, src));
            TS.SetReg(c._g, op->R1, dst);
            return true;
        }
        while (true)
        {
            var old = TS.Load(p);
            var sum = AddOp.Exec<TS>(c, old, src);
            if (TS.CompareExchange(p, sum, old) == old)
            {
                TS.SetReg(c._g, op->R1, old);
                return true;
            }
        }
    }

    private static bool CmpxchgLocked<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        var acc = TS.GetReg(c._g, 0);
        var src = TS.GetReg(c._g, op->R1);
        ulong old;
        if (p == c._scratch)
        {
            old = TS.Load(p);
            TD.End<TS>(c, p, old == acc ? src : old);
        }
        else
        {
            old = TS.CompareExchange(p, src, acc);
        }
        SubOp.Exec<TS>(c, acc, old);
        if (old != acc)
        {
            TS.SetReg(c._g, 0, old);
        }
        return true;
    }

    private static bool XchgLocked<TS, TD>(X86Cpu c, DecodedOp* op)
        where TS : struct, ISize
        where TD : struct, IOperand
    {
        var p = TD.Begin<TS>(c, op);
        if (p == null)
        {
            return false;
        }
        var reg = TS.GetReg(c._g, op->R1);
        ulong old;
        if (p == c._scratch)
        {
            old = TS.Load(p);
            TD.End<TS>(c, p, reg);
        }
        else
        {
            old = TS.Exchange(p, reg);
        }
        TS.SetReg(c._g, op->R1, old);
        return true;
    }

    private static Handler LockedAluFor<TOp, TM>(bool immediate, int size)
        where TOp : struct, IAluOp
        where TM : struct, IOperand => (immediate, size) switch
        {
            (false, 1) => &AluLocked<TOp, S8, TM, R1>,
            (false, 2) => &AluLocked<TOp, S16, TM, R1>,
            (false, 4) => &AluLocked<TOp, S32, TM, R1>,
            (false, 8) => &AluLocked<TOp, S64, TM, R1>,
            (true, 1) => &AluLocked<TOp, S8, TM, I>,
            (true, 2) => &AluLocked<TOp, S16, TM, I>,
            (true, 4) => &AluLocked<TOp, S32, TM, I>,
            (true, 8) => &AluLocked<TOp, S64, TM, I>,
            _ => null,
        };

    private static Handler LockedUnaryFor<TOp, TM>(int size)
        where TOp : struct, IUnaryOp
        where TM : struct, IOperand => size switch
        {
            1 => &UnaryLocked<TOp, S8, TM>,
            2 => &UnaryLocked<TOp, S16, TM>,
            4 => &UnaryLocked<TOp, S32, TM>,
            8 => &UnaryLocked<TOp, S64, TM>,
            _ => null,
        };

    private static Handler LockedExchangeFor<TM>(Iced.Intel.Mnemonic family, int size)
        where TM : struct, IOperand => (family, size) switch
        {
            (Iced.Intel.Mnemonic.Xchg, 1) => &XchgLocked<S8, TM>,
            (Iced.Intel.Mnemonic.Xchg, 2) => &XchgLocked<S16, TM>,
            (Iced.Intel.Mnemonic.Xchg, 4) => &XchgLocked<S32, TM>,
            (Iced.Intel.Mnemonic.Xchg, 8) => &XchgLocked<S64, TM>,
            (Iced.Intel.Mnemonic.Xadd, 1) => &XaddLocked<S8, TM>,
            (Iced.Intel.Mnemonic.Xadd, 2) => &XaddLocked<S16, TM>,
            (Iced.Intel.Mnemonic.Xadd, 4) => &XaddLocked<S32, TM>,
            (Iced.Intel.Mnemonic.Xadd, 8) => &XaddLocked<S64, TM>,
            (Iced.Intel.Mnemonic.Cmpxchg, 1) => &CmpxchgLocked<S8, TM>,
            (Iced.Intel.Mnemonic.Cmpxchg, 2) => &CmpxchgLocked<S16, TM>,
            (Iced.Intel.Mnemonic.Cmpxchg, 4) => &CmpxchgLocked<S32, TM>,
            (Iced.Intel.Mnemonic.Cmpxchg, 8) => &CmpxchgLocked<S64, TM>,
            _ => null,
        };

    /// <summary>The locked variant of a memory read-modify-write, or null when the instruction has none here.</summary>
    private static Handler SelectLocked(Iced.Intel.Mnemonic mnemonic, Shape shape, int size, bool flat)
    {
        var immediate = shape == Shape.MI;
        return mnemonic switch
        {
            Iced.Intel.Mnemonic.Add => flat ? LockedAluFor<AddOp, MF>(immediate, size) : LockedAluFor<AddOp, M>(immediate, size),
            Iced.Intel.Mnemonic.Or => flat ? LockedAluFor<OrOp, MF>(immediate, size) : LockedAluFor<OrOp, M>(immediate, size),
            Iced.Intel.Mnemonic.Adc => flat ? LockedAluFor<AdcOp, MF>(immediate, size) : LockedAluFor<AdcOp, M>(immediate, size),
            Iced.Intel.Mnemonic.Sbb => flat ? LockedAluFor<SbbOp, MF>(immediate, size) : LockedAluFor<SbbOp, M>(immediate, size),
            Iced.Intel.Mnemonic.And => flat ? LockedAluFor<AndOp, MF>(immediate, size) : LockedAluFor<AndOp, M>(immediate, size),
            Iced.Intel.Mnemonic.Sub => flat ? LockedAluFor<SubOp, MF>(immediate, size) : LockedAluFor<SubOp, M>(immediate, size),
            Iced.Intel.Mnemonic.Xor => flat ? LockedAluFor<XorOp, MF>(immediate, size) : LockedAluFor<XorOp, M>(immediate, size),
            Iced.Intel.Mnemonic.Inc => flat ? LockedUnaryFor<IncOp, MF>(size) : LockedUnaryFor<IncOp, M>(size),
            Iced.Intel.Mnemonic.Dec => flat ? LockedUnaryFor<DecOp, MF>(size) : LockedUnaryFor<DecOp, M>(size),
            Iced.Intel.Mnemonic.Not => flat ? LockedUnaryFor<NotOp, MF>(size) : LockedUnaryFor<NotOp, M>(size),
            Iced.Intel.Mnemonic.Neg => flat ? LockedUnaryFor<NegOp, MF>(size) : LockedUnaryFor<NegOp, M>(size),
            Iced.Intel.Mnemonic.Xchg or Iced.Intel.Mnemonic.Xadd or Iced.Intel.Mnemonic.Cmpxchg => flat ? LockedExchangeFor<MF>(mnemonic, size) : LockedExchangeFor<M>(mnemonic, size),
            _ => null,
        };
    }
}
