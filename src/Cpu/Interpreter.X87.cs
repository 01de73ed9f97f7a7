using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// The x87 FPU: eight 80-bit registers addressed relative to TOP, the tag (kept as valid/empty per
/// register), status and control words. Everything is computed on the 80-bit values in software
/// (<see cref="Extended80"/>): FADD/FSUB/FMUL/FDIV/FSQRT round once to the precision control's width with
/// the rounding control, and set C1 when they rounded up. Every instruction records the exception flags
/// it meets (IE with SF for stack faults, DE, ZE, OE, UE, PE). Invariant: after each x87 instruction ES
/// and B are set exactly when a flag is set whose mask bit is clear; a waiting x87 instruction (or
/// WAIT) that finds ES set raises #MF before it executes when CR0.NE = 1. With an unmasked invalid,
/// denormal or divide-by-zero the arithmetic instructions leave their destination and the stack
/// unchanged, as the processor does. One handler serves the family; it switches on the mnemonic.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private const ushort FpuIe = 1 << 0;
    private const ushort FpuZe = 1 << 2;
    private const ushort FpuSf = 1 << 6;
    private const ushort FpuEs = 1 << 7;
    private const ushort FpuBusy = 1 << 15;
    private const ushort FpuC0 = 1 << 8;
    private const ushort FpuC1 = 1 << 9;
    private const ushort FpuC2 = 1 << 10;
    private const ushort FpuC3 = 1 << 14;

    private readonly Extended80[] _fpr = new Extended80[8];
    private ushort _fpuControl = 0x37F;
    private ushort _fpuStatus;
    private int _fpuTop;
    private byte _fpuValid;

    /// <summary>The status word with TOP in bits 11-13.</summary>
    public ushort FpuStatusWord => (ushort)((_fpuStatus & ~0x3800) | (_fpuTop << 11));

    /// <summary>The x87 control word.</summary>
    public ushort FpuControlWord => _fpuControl;

    /// <summary>Reads ST(<paramref name="i"/>) as (significand, sign and exponent); an empty register reads as it was left.</summary>
    public (ulong Mantissa, ushort SignExponent) GetSt(int i)
    {
        var v = _fpr[(_fpuTop + i) & 7];
        return (v.Mantissa, v.SignExponent);
    }

    /// <summary>The full 16-bit tag word (valid 00, zero 01, special 10, empty 11).</summary>
    private ushort FullTagWord()
    {
        var tags = 0;
        for (var p = 0; p < 8; p++)
        {
            var v = _fpr[p];
            var tag = (_fpuValid & (1 << p)) == 0 ? 3 : v.IsZero ? 1 : v.Exponent == 0x7FFF || v.Exponent == 0 || v.IsUnsupported ? 2 : 0;
            tags |= tag << (2 * p);
        }
        return (ushort)tags;
    }

    /// <summary>The FXSAVE tag byte: bit p set when physical register p is not empty.</summary>
    private ushort AbridgedTagWord() => _fpuValid;

    private void FpuInit()
    {
        _fpuControl = 0x37F;
        _fpuStatus = 0;
        _fpuTop = 0;
        _fpuValid = 0;
    }

    private int RoundingControl => (_fpuControl >> 10) & 3;

    private Extended80 St(int i)
    {
        var p = (_fpuTop + i) & 7;
        if ((_fpuValid & (1 << p)) == 0)
        {
            _fpuStatus = (ushort)((_fpuStatus | FpuSf | FpuIe) & ~FpuC1);
            return Extended80.Indefinite;
        }
        return _fpr[p];
    }

    private void SetSt(int i, Extended80 value)
    {
        var p = (_fpuTop + i) & 7;
        _fpr[p] = value;
        _fpuValid |= (byte)(1 << p);
    }

    /// <summary>Pushes a value; C1 ends up set only when the push overflowed the stack (what every load reports).</summary>
    private void Push(Extended80 value)
    {
        _fpuStatus &= unchecked((ushort)~FpuC1);
        var top = (_fpuTop - 1) & 7;
        if ((_fpuValid & (1 << top)) != 0)
        {
            _fpuStatus |= FpuSf | FpuIe | FpuC1;
            value = Extended80.Indefinite;
        }
        _fpuTop = top;
        SetSt(0, value);
    }

    private void Pop()
    {
        _fpuValid &= (byte)~(1 << _fpuTop);
        _fpuTop = (_fpuTop + 1) & 7;
    }


    private bool ExecuteX87(DecodedOp* op, Mnemonic mnemonic)
    {
        var memory = (op->Extra & 1) != 0;
        int a = op->R0;
        int b = op->R1;
        switch (mnemonic)
        {
            case Mnemonic.Fninit:
                FpuInit();
                return true;
            case Mnemonic.Fnclex:
                _fpuStatus &= 0x7F00;
                return true;
            case Mnemonic.Fldcw:
                if (!TryRead<S16>(Ea(op), out var cw))
                {
                    return false;
                }
                _fpuControl = (ushort)(cw | 0x40);
                return true;
            case Mnemonic.Fnstcw:
                return TryWrite<S16>(Ea(op), _fpuControl);
            case Mnemonic.Fnstsw:
                if (memory)
                {
                    return TryWrite<S16>(Ea(op), FpuStatusWord);
                }
                _g[0] = (_g[0] & ~0xFFFFUL) | FpuStatusWord;
                return true;
            case Mnemonic.Fld:
                if (!memory)
                {
                    Push(St(a));
                    return true;
                }
                if (!ReadFloat(op, out var loaded))
                {
                    return false;
                }
                Push(loaded);
                return true;
            case Mnemonic.Fild:
                if (!ReadInteger(op, out var integer))
                {
                    return false;
                }
                Push(Extended80.FromInt64(integer));
                return true;
            case Mnemonic.Fld1:
            case Mnemonic.Fldz:
            case Mnemonic.Fldpi:
            case Mnemonic.Fldl2e:
            case Mnemonic.Fldl2t:
            case Mnemonic.Fldlg2:
            case Mnemonic.Fldln2:
                Push(Constant(mnemonic, RoundingControl));
                return true;
            case Mnemonic.Fst:
            case Mnemonic.Fstp:
            case Mnemonic.Fstpnce:
                var top = St(0);
                if (memory)
                {
                    if (!WriteFloat(op, top))
                    {
                        return false;
                    }
                }
                else
                {
                    SetSt(a, top);
                }
                if (mnemonic is Mnemonic.Fstp or Mnemonic.Fstpnce)
                {
                    Pop();
                }
                return true;
            case Mnemonic.Fist:
            case Mnemonic.Fistp:
            case Mnemonic.Fisttp:
                var integerSource = St(0);
                var integerRaised = FpuExceptions.None;
                var value = integerSource.ToInteger(8 * op->Size, mnemonic == Mnemonic.Fisttp ? 3 : RoundingControl, ref integerRaised);
                Signal(integerRaised);
                if (value is null)
                {
                    _fpuStatus |= FpuIe;
                }
                else
                {
                    SetRoundedUp(integerSource, Extended80.FromInt64(value.Value));
                }
                if (!WriteInteger(op, value))
                {
                    return false;
                }
                if (mnemonic != Mnemonic.Fist)
                {
                    Pop();
                }
                return true;
            case Mnemonic.Fxch:
                var x = St(a == 0 ? b : a);
                var y = St(0);
                SetSt(0, x);
                SetSt(a == 0 ? b : a, y);
                _fpuStatus &= unchecked((ushort)~FpuC1);
                return true;
            case Mnemonic.Fchs:
                SetSt(0, St(0).Negate());
                return true;
            case Mnemonic.Fabs:
                SetSt(0, St(0).Abs());
                return true;
            case Mnemonic.Frndint:
                var r = St(0);
                var roundRaised = r.IsNaN ? FpuExceptions.None : DenormalOperand(r);
                var rounded = r.IsSignalingNaN ? Invalid(r.Quieted()) : r.IsUnsupported ? Invalid(Extended80.Indefinite) : r.RoundToIntegral(RoundingControl, ref roundRaised);
                Signal(roundRaised);
                if (Suppresses(roundRaised))
                {
                    return true;
                }
                SetRoundedUp(r, rounded);
                SetSt(0, rounded);
                return true;
            case Mnemonic.Fsqrt:
                var s = St(0);
                if (s.IsNaN || s.IsUnsupported)
                {
                    SetSt(0, s.IsNaN ? Nan(s, s) : Invalid(Extended80.Indefinite));
                    return true;
                }
                var rootRaised = DenormalOperand(s);
                var root = Extended80.SquareRoot(s, Precision, RoundingControl, out var rootUp, ref rootRaised);
                Signal(rootRaised);
                if (!Suppresses(rootRaised))
                {
                    SetC1(rootUp);
                    SetSt(0, root);
                }
                return true;
            case Mnemonic.Ffree:
                _fpuValid &= (byte)~(1 << ((_fpuTop + a) & 7));
                return true;
            case Mnemonic.Ffreep:
                // The undocumented DF C0+i: FFREE ST(i), then pop.
                _fpuValid &= (byte)~(1 << ((_fpuTop + a) & 7));
                Pop();
                return true;
            case Mnemonic.Feni:
            case Mnemonic.Fneni:
            case Mnemonic.Fdisi:
            case Mnemonic.Fndisi:
            case Mnemonic.Fsetpm:
            case Mnemonic.Fnsetpm:
                // 8087/80287 interrupt-mask and protected-mode controls: no-ops from the 80387 on.
                return true;
            case Mnemonic.Fincstp:
            case Mnemonic.Fdecstp:
                _fpuTop = (_fpuTop + (mnemonic == Mnemonic.Fincstp ? 1 : 7)) & 7;
                return true;
            case Mnemonic.Fnop:
                return true;
            case Mnemonic.Fprem:
            case Mnemonic.Fprem1:
                Remainder(mnemonic == Mnemonic.Fprem1);
                return true;
            case Mnemonic.Fnstenv:
            case Mnemonic.Fldenv:
                return FpuEnvironment(op, mnemonic == Mnemonic.Fnstenv);
            case Mnemonic.Fnsave:
            case Mnemonic.Frstor:
                return FpuState(op, mnemonic == Mnemonic.Fnsave);
            case Mnemonic.Fadd or Mnemonic.Faddp or Mnemonic.Fiadd or Mnemonic.Fsub or Mnemonic.Fsubp or Mnemonic.Fisub
                or Mnemonic.Fsubr or Mnemonic.Fsubrp or Mnemonic.Fisubr or Mnemonic.Fmul or Mnemonic.Fmulp or Mnemonic.Fimul
                or Mnemonic.Fdiv or Mnemonic.Fdivp or Mnemonic.Fidiv or Mnemonic.Fdivr or Mnemonic.Fdivrp or Mnemonic.Fidivr:
                return Arithmetic(op, mnemonic, memory, a, b);
            case Mnemonic.Fcom or Mnemonic.Fcomp or Mnemonic.Fcompp or Mnemonic.Fucom or Mnemonic.Fucomp or Mnemonic.Fucompp
                or Mnemonic.Ficom or Mnemonic.Ficomp or Mnemonic.Ftst:
                return CompareToStatus(op, mnemonic, memory, a, b);
            case Mnemonic.Fcomi or Mnemonic.Fcomip or Mnemonic.Fucomi or Mnemonic.Fucomip:
                if (Extended80.Compare(St(0), St(b)) != 2)
                {
                    Signal(DenormalOperand(St(0)) | DenormalOperand(St(b)));
                }
                var order = Extended80.Compare(St(0), St(b));
                SetArithFlags(order switch { 2 => FlagZf | FlagPf | FlagCf, -1 => FlagCf, 0 => FlagZf, _ => 0 });
                if (order == 2 && (mnemonic is Mnemonic.Fcomi or Mnemonic.Fcomip || St(0).IsSignalingNaN || St(b).IsSignalingNaN))
                {
                    _fpuStatus |= FpuIe;
                }
                if (mnemonic is Mnemonic.Fcomip or Mnemonic.Fucomip)
                {
                    Pop();
                }
                return true;
            case Mnemonic.Fxam:
                Examine();
                return true;
            case Mnemonic.Fbld:
                return LoadBcd(op);
            case Mnemonic.Fbstp:
                return StoreBcd(op);
            case Mnemonic.Fsin or Mnemonic.Fcos or Mnemonic.Fsincos or Mnemonic.Fptan or Mnemonic.Fpatan or Mnemonic.F2xm1
                or Mnemonic.Fyl2x or Mnemonic.Fyl2xp1 or Mnemonic.Fscale or Mnemonic.Fxtract:
                return ExecuteTranscendental(mnemonic);
            case Mnemonic.Fcmovb or Mnemonic.Fcmove or Mnemonic.Fcmovbe or Mnemonic.Fcmovu
                or Mnemonic.Fcmovnb or Mnemonic.Fcmovne or Mnemonic.Fcmovnbe or Mnemonic.Fcmovnu:
                var cc = mnemonic switch
                {
                    Mnemonic.Fcmovb => 2,
                    Mnemonic.Fcmovnb => 3,
                    Mnemonic.Fcmove => 4,
                    Mnemonic.Fcmovne => 5,
                    Mnemonic.Fcmovbe => 6,
                    Mnemonic.Fcmovnbe => 7,
                    Mnemonic.Fcmovu => 10,
                    _ => 11,
                };
                var source = St(b);
                if (Condition(cc))
                {
                    SetSt(0, source);
                }
                return true;
            default:
                return RaiseUd();
        }
    }


    /// <summary>Sets C1 when rounding <paramref name="exact"/> to <paramref name="rounded"/> increased its magnitude, clears it otherwise.</summary>
    private void SetRoundedUp(Extended80 exact, Extended80 rounded)
    {
        var up = Extended80.Compare(rounded.Abs(), exact.Abs()) == 1;
        _fpuStatus = (ushort)((_fpuStatus & ~FpuC1) | (up ? FpuC1 : 0));
    }

    /// <summary>FPREM/FPREM1: ST0 = remainder of ST0 / ST1; C0, C3, C1 get quotient bits 2, 1, 0 and C2 says the reduction is incomplete.</summary>
    private void Remainder(bool nearest)
    {
        var x = St(0);
        var y = St(1);
        _fpuStatus &= unchecked((ushort)~(FpuC0 | FpuC1 | FpuC2 | FpuC3));
        if (x.IsNaN || y.IsNaN)
        {
            SetSt(0, Nan(x, y));
            return;
        }
        if (x.IsInfinity || y.IsZero || x.IsUnsupported || y.IsUnsupported)
        {
            SetSt(0, Invalid(Extended80.Indefinite));
            return;
        }
        Signal(DenormalOperand(x) | DenormalOperand(y));
        if (x.IsZero || y.IsInfinity)
        {
            SetSt(0, x.Normalized());
            return;
        }
        var result = Extended80.PartialRemainder(x, y, nearest, out var q, out var complete);
        SetSt(0, result);
        if (!complete)
        {
            _fpuStatus |= FpuC2;
            return;
        }
        _fpuStatus |= (ushort)(((q & 4) != 0 ? FpuC0 : 0) | ((q & 2) != 0 ? FpuC3 : 0) | ((q & 1) != 0 ? FpuC1 : 0));
    }

    private Extended80 Invalid(Extended80 result)
    {
        _fpuStatus |= FpuIe;
        return result;
    }

    /// <summary>The NaN result of an operation with a NaN operand: the QNaN when one is signalling and one quiet, otherwise the larger-significand NaN, quieted.</summary>
    private Extended80 Nan(Extended80 x, Extended80 y)
    {
        if (x.IsSignalingNaN || y.IsSignalingNaN)
        {
            _fpuStatus |= FpuIe;
        }
        return NanResult(x, y);
    }

    /// <summary>The NaN result of an operation with a NaN operand, without recording IE.</summary>
    private static Extended80 NanResult(Extended80 x, Extended80 y)
    {
        if (x.IsNaN && y.IsNaN && x.IsSignalingNaN != y.IsSignalingNaN)
        {
            return x.IsSignalingNaN ? y : x;
        }
        if (x.IsNaN && y.IsNaN)
        {
            var xm = x.Mantissa | (1UL << 62);
            var ym = y.Mantissa | (1UL << 62);
            return (xm > ym || (xm == ym && !x.Sign) ? x : y).Quieted();
        }
        return (x.IsNaN ? x : y).Quieted();
    }

    /// <summary>
    /// The constants as the processor loads them: the nearest 64-bit significand, one lower under rounding
    /// down or toward zero when that nearest value lies above the exact constant (pi, log2 e, log10 2,
    /// ln 2), one higher under rounding up when it lies below (log2 10).
    /// </summary>
    private static Extended80 Constant(Mnemonic mnemonic, int rounding)
    {
        var nearest = Nearest(mnemonic);
        var adjust = mnemonic switch
        {
            Mnemonic.Fldpi or Mnemonic.Fldl2e or Mnemonic.Fldlg2 or Mnemonic.Fldln2 when rounding is 1 or 3 => -1L,
            Mnemonic.Fldl2t when rounding == 2 => 1L,
            _ => 0L,
        };
        return new Extended80((ulong)((long)nearest.Mantissa + adjust), nearest.SignExponent);
    }

    private static Extended80 Nearest(Mnemonic mnemonic) => mnemonic switch
    {
        Mnemonic.Fld1 => new(0x8000000000000000, 0x3FFF),
        Mnemonic.Fldpi => new(0xC90FDAA22168C235, 0x4000),
        Mnemonic.Fldl2e => new(0xB8AA3B295C17F0BC, 0x3FFF),
        Mnemonic.Fldl2t => new(0xD49A784BCD1B8AFE, 0x4000),
        Mnemonic.Fldlg2 => new(0x9A209A84FBCFF799, 0x3FFD),
        Mnemonic.Fldln2 => new(0xB17217F7D1CF79AC, 0x3FFE),
        _ => Extended80.Zero,
    };

    private bool Arithmetic(DecodedOp* op, Mnemonic mnemonic, bool memory, int a, int b)
    {
        Extended80 source;
        var destination = 0;
        if (memory)
        {
            if (mnemonic is Mnemonic.Fiadd or Mnemonic.Fisub or Mnemonic.Fisubr or Mnemonic.Fimul or Mnemonic.Fidiv or Mnemonic.Fidivr)
            {
                if (!ReadInteger(op, out var integer))
                {
                    return false;
                }
                source = Extended80.FromInt64(integer);
            }
            else if (!ReadFloat(op, out source, keepSignaling: true))
            {
                return false;
            }
        }
        else
        {
            destination = a;
            source = St(b);
        }
        var target = St(destination);
        var kind = mnemonic switch
        {
            Mnemonic.Fadd or Mnemonic.Faddp or Mnemonic.Fiadd => 0,
            Mnemonic.Fsub or Mnemonic.Fsubp or Mnemonic.Fisub => 1,
            Mnemonic.Fsubr or Mnemonic.Fsubrp or Mnemonic.Fisubr => 2,
            Mnemonic.Fmul or Mnemonic.Fmulp or Mnemonic.Fimul => 3,
            Mnemonic.Fdiv or Mnemonic.Fdivp or Mnemonic.Fidiv => 4,
            _ => 5,
        };
        var result = Compute(kind, target, source, out var raised);
        Signal(raised);
        if (Suppresses(raised))
        {
            return true;
        }
        SetSt(destination, result);
        if (mnemonic is Mnemonic.Faddp or Mnemonic.Fsubp or Mnemonic.Fsubrp or Mnemonic.Fmulp or Mnemonic.Fdivp or Mnemonic.Fdivrp)
        {
            Pop();
        }
        return true;
    }

    /// <summary>destination op source (kinds 0 add, 1 sub, 3 mul, 4 div) or source op destination (2 subr, 5 divr).</summary>
    private Extended80 Compute(int kind, Extended80 destination, Extended80 source, out FpuExceptions raised)
    {
        raised = FpuExceptions.None;
        if (destination.IsNaN || source.IsNaN)
        {
            if (destination.IsSignalingNaN || source.IsSignalingNaN)
            {
                raised = FpuExceptions.Invalid;
            }
            return NanResult(destination, source);
        }
        if (destination.IsUnsupported || source.IsUnsupported)
        {
            raised = FpuExceptions.Invalid;
            return Extended80.Indefinite;
        }
        raised = DenormalOperand(destination) | DenormalOperand(source);
        var (x, y) = kind is 2 or 5 ? (source, destination) : (destination, source);
        bool up;
        var result = kind switch
        {
            0 => Extended80.Add(x, y, Precision, RoundingControl, out up, ref raised),
            1 or 2 => Extended80.Add(x, y.Negate(), Precision, RoundingControl, out up, ref raised),
            3 => Extended80.Multiply(x, y, Precision, RoundingControl, out up, ref raised),
            _ => Extended80.Divide(x, y, Precision, RoundingControl, out up, ref raised),
        };
        if (!Suppresses(raised))
        {
            SetC1(up);
        }
        return result;
    }

    /// <summary>The significand width precision control selects: 24, 53 or 64 bits.</summary>
    private int Precision => ((_fpuControl >> 8) & 3) switch
    {
        0 => 24,
        2 => 53,
        _ => 64,
    };

    /// <summary>C1 after a rounded result: set when rounding increased the magnitude.</summary>
    private void SetC1(bool roundedUp) => _fpuStatus = (ushort)((_fpuStatus & ~FpuC1) | (roundedUp ? FpuC1 : 0));

    private bool CompareToStatus(DecodedOp* op, Mnemonic mnemonic, bool memory, int a, int b)
    {
        Extended80 other;
        if (mnemonic == Mnemonic.Ftst)
        {
            other = Extended80.Zero;
        }
        else if (mnemonic is Mnemonic.Ficom or Mnemonic.Ficomp)
        {
            if (!ReadInteger(op, out var integer))
            {
                return false;
            }
            other = Extended80.FromInt64(integer);
        }
        else if (memory)
        {
            if (!ReadFloat(op, out other, keepSignaling: true))
            {
                return false;
            }
        }
        else
        {
            other = St(mnemonic is Mnemonic.Fcompp or Mnemonic.Fucompp ? 1 : b);
        }
        var self = St(0);
        var order = Extended80.Compare(self, other);
        if (order != 2)
        {
            Signal(DenormalOperand(self) | DenormalOperand(other));
        }
        var unordered = mnemonic is Mnemonic.Fucom or Mnemonic.Fucomp or Mnemonic.Fucompp;
        if (order == 2 && (!unordered || self.IsSignalingNaN || other.IsSignalingNaN))
        {
            _fpuStatus |= FpuIe;
        }
        _fpuStatus = (ushort)((_fpuStatus & ~(FpuC0 | FpuC1 | FpuC2 | FpuC3)) | order switch
        {
            2 => FpuC0 | FpuC2 | FpuC3,
            -1 => FpuC0,
            0 => FpuC3,
            _ => 0,
        });
        if (mnemonic is Mnemonic.Fcomp or Mnemonic.Fucomp or Mnemonic.Ficomp or Mnemonic.Fcompp or Mnemonic.Fucompp)
        {
            Pop();
        }
        if (mnemonic is Mnemonic.Fcompp or Mnemonic.Fucompp)
        {
            Pop();
        }
        return true;
    }

    private void Examine()
    {
        var v = _fpr[_fpuTop];
        int cls;
        if ((_fpuValid & (1 << _fpuTop)) == 0)
        {
            cls = FpuC3 | FpuC0;
        }
        else if (v.IsUnsupported)
        {
            cls = 0;
        }
        else if (v.IsNaN)
        {
            cls = FpuC0;
        }
        else if (v.IsInfinity)
        {
            cls = FpuC2 | FpuC0;
        }
        else if (v.IsZero)
        {
            cls = FpuC3;
        }
        else if (v.IsDenormal)
        {
            cls = FpuC3 | FpuC2;
        }
        else
        {
            cls = FpuC2;
        }
        _fpuStatus = (ushort)((_fpuStatus & ~(FpuC0 | FpuC1 | FpuC2 | FpuC3)) | cls | (v.Sign ? FpuC1 : 0));
    }

    /// <summary>Chooses the x87 handler: R0/R1 become ST indices, Size the memory operand's size, Extra bit 0 a memory operand.</summary>
    private static Handler SelectX87(in Instruction ins, DecodedOp* op)
    {
        if (ins.Mnemonic == Mnemonic.Wait)
        {
            return &X87Wait;
        }
        if (!IsX87(ins.Mnemonic))
        {
            return null;
        }
        op->R0 = op->R1 = DecodedOp.NoRegister;
        for (var i = 0; i < ins.OpCount && i < 2; i++)
        {
            if (ins.GetOpKind(i) == OpKind.Memory)
            {
                op->Extra = 1;
                op->Size = (byte)ins.MemorySize.GetSize();
            }
            else if (ins.GetOpKind(i) == OpKind.Register && ins.GetOpRegister(i) >= Register.ST0 && ins.GetOpRegister(i) <= Register.ST7)
            {
                var st = (byte)(ins.GetOpRegister(i) - Register.ST0);
                if (i == 0)
                {
                    op->R0 = st;
                }
                else
                {
                    op->R1 = st;
                }
            }
        }
        if (ins.Mnemonic is Mnemonic.Fnstsw && ins.OpCount == 1 && ins.Op0Kind == OpKind.Register)
        {
            op->Extra = 0;
        }
        if (op->R1 == DecodedOp.NoRegister)
        {
            op->R1 = op->R0 == DecodedOp.NoRegister ? (byte)1 : op->R0;
        }
        if (op->R0 == DecodedOp.NoRegister)
        {
            op->R0 = ins.Mnemonic is Mnemonic.Fxch ? (byte)1 : (byte)0;
        }
        if (ins.OpCount == 0 && ins.Mnemonic is Mnemonic.Faddp or Mnemonic.Fsubp or Mnemonic.Fsubrp or Mnemonic.Fmulp or Mnemonic.Fdivp or Mnemonic.Fdivrp)
        {
            op->R0 = 1;
            op->R1 = 0;
        }
        return &X87;
    }

    private static bool IsX87(Mnemonic m) => m is Mnemonic.Fninit or Mnemonic.Fnclex or Mnemonic.Fldcw or Mnemonic.Fnstcw or Mnemonic.Fnstsw
        or Mnemonic.Fld or Mnemonic.Fild or Mnemonic.Fld1 or Mnemonic.Fldz or Mnemonic.Fldpi or Mnemonic.Fldl2e or Mnemonic.Fldl2t
        or Mnemonic.Fldlg2 or Mnemonic.Fldln2 or Mnemonic.Fst or Mnemonic.Fstp or Mnemonic.Fist or Mnemonic.Fistp or Mnemonic.Fisttp
        or Mnemonic.Fxch or Mnemonic.Fchs or Mnemonic.Fabs or Mnemonic.Frndint or Mnemonic.Fsqrt or Mnemonic.Ffree or Mnemonic.Fincstp
        or Mnemonic.Fdecstp or Mnemonic.Fnop or Mnemonic.Fprem or Mnemonic.Fprem1 or Mnemonic.Fnstenv or Mnemonic.Fldenv
        or Mnemonic.Fadd or Mnemonic.Faddp or Mnemonic.Fiadd or Mnemonic.Fsub or Mnemonic.Fsubp or Mnemonic.Fisub
        or Mnemonic.Fsubr or Mnemonic.Fsubrp or Mnemonic.Fisubr or Mnemonic.Fmul or Mnemonic.Fmulp or Mnemonic.Fimul
        or Mnemonic.Fdiv or Mnemonic.Fdivp or Mnemonic.Fidiv or Mnemonic.Fdivr or Mnemonic.Fdivrp or Mnemonic.Fidivr
        or Mnemonic.Fcom or Mnemonic.Fcomp or Mnemonic.Fcompp or Mnemonic.Fucom or Mnemonic.Fucomp or Mnemonic.Fucompp
        or Mnemonic.Ficom or Mnemonic.Ficomp or Mnemonic.Ftst or Mnemonic.Fcomi or Mnemonic.Fcomip or Mnemonic.Fucomi
        or Mnemonic.Fucomip or Mnemonic.Fxam or Mnemonic.Fcmovb or Mnemonic.Fcmove or Mnemonic.Fcmovbe or Mnemonic.Fcmovu
        or Mnemonic.Fcmovnb or Mnemonic.Fcmovne or Mnemonic.Fcmovnbe or Mnemonic.Fcmovnu or Mnemonic.Fbld or Mnemonic.Fbstp or Mnemonic.Fnsave or Mnemonic.Frstor
        or Mnemonic.Fstpnce or Mnemonic.Ffreep or Mnemonic.Feni or Mnemonic.Fneni or Mnemonic.Fdisi or Mnemonic.Fndisi
        or Mnemonic.Fsetpm or Mnemonic.Fnsetpm || IsTranscendental(m);
}
