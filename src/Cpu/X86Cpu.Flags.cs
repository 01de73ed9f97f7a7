using System.Numerics;
using System.Runtime.CompilerServices;

namespace ActorVisor.Cpu;

/// <summary>
/// Lazy arithmetic flags. An ALU instruction records its kind, operands and result (all masked to the
/// operand size, with the size's sign bit); a flag is computed only when read. When the kind is None,
/// the arithmetic bits of <c>_rflags</c> are authoritative.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private enum FlagKind : byte
    {
        None,
        Add,
        Adc,
        Sub,
        Sbb,
        Logic,
        Inc,
        Dec,
    }

    private FlagKind _flagKind;
    private ulong _flagA;
    private ulong _flagB;
    private ulong _flagResult;
    private ulong _flagSign;
    private ulong _flagAux;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetLazy(FlagKind kind, ulong a, ulong b, ulong result, ulong sign)
    {
        _flagKind = kind;
        _flagA = a;
        _flagB = b;
        _flagResult = result;
        _flagSign = sign;
    }

    private ulong MaterializeFlags()
    {
        if (_flagKind != FlagKind.None)
        {
            var f = _rflags & ~ArithFlags;
            if (GetCf())
            {
                f |= FlagCf;
            }
            if (GetPf())
            {
                f |= FlagPf;
            }
            if (GetAf())
            {
                f |= FlagAf;
            }
            if (GetZf())
            {
                f |= FlagZf;
            }
            if (GetSf())
            {
                f |= FlagSf;
            }
            if (GetOf())
            {
                f |= FlagOf;
            }
            _rflags = f;
            _flagKind = FlagKind.None;
        }
        return _rflags;
    }

    private void SetRflagsRaw(ulong value)
    {
        _flagKind = FlagKind.None;
        _rflags = (value & 0x3F7FD7) | 2;
    }

    /// <summary>Replaces the arithmetic flags with eagerly computed ones.</summary>
    private void SetArithFlags(ulong flags)
    {
        if (_flagKind != FlagKind.None)
        {
            _flagKind = FlagKind.None;
        }
        _rflags = (_rflags & ~ArithFlags) | (flags & ArithFlags);
    }

    private bool GetCf() => _flagKind switch
    {
        FlagKind.None => (_rflags & FlagCf) != 0,
        FlagKind.Add => _flagResult < _flagA,
        FlagKind.Adc => _flagAux != 0 ? _flagResult <= _flagA : _flagResult < _flagA,
        FlagKind.Sub => _flagA < _flagB,
        FlagKind.Sbb => _flagAux != 0 ? _flagA <= _flagB : _flagA < _flagB,
        FlagKind.Logic => false,
        _ => _flagAux != 0,
    };

    private bool GetZf() => _flagKind == FlagKind.None ? (_rflags & FlagZf) != 0 : _flagResult == 0;

    private bool GetSf() => _flagKind == FlagKind.None ? (_rflags & FlagSf) != 0 : (_flagResult & _flagSign) != 0;

    private bool GetPf() => _flagKind == FlagKind.None ? (_rflags & FlagPf) != 0 : Parity(_flagResult);

    private bool GetAf() => _flagKind switch
    {
        FlagKind.None => (_rflags & FlagAf) != 0,
        FlagKind.Logic => false,
        _ => ((_flagA ^ _flagB ^ _flagResult) & 0x10) != 0,
    };

    private bool GetOf() => _flagKind switch
    {
        FlagKind.None => (_rflags & FlagOf) != 0,
        FlagKind.Add or FlagKind.Adc => ((_flagA ^ _flagResult) & (_flagB ^ _flagResult) & _flagSign) != 0,
        FlagKind.Sub or FlagKind.Sbb => ((_flagA ^ _flagB) & (_flagA ^ _flagResult) & _flagSign) != 0,
        FlagKind.Inc => _flagResult == _flagSign,
        FlagKind.Dec => _flagResult == _flagSign - 1,
        _ => false,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Parity(ulong value) => (BitOperations.PopCount((uint)(value & 0xFF)) & 1) == 0;

    /// <summary>Evaluates condition code 0-15 (O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Condition(int cc)
    {
        if (_flagKind == FlagKind.Sub)
        {
            var a = _flagA;
            var b = _flagB;
            switch (cc)
            {
                case 2:
                    return a < b;
                case 3:
                    return a >= b;
                case 4:
                    return a == b;
                case 5:
                    return a != b;
                case 6:
                    return a <= b;
                case 7:
                    return a > b;
                case 12:
                    return (a ^ _flagSign) < (b ^ _flagSign);
                case 13:
                    return (a ^ _flagSign) >= (b ^ _flagSign);
                case 14:
                    return (a ^ _flagSign) <= (b ^ _flagSign);
                case 15:
                    return (a ^ _flagSign) > (b ^ _flagSign);
                default:
                    break;
            }
        }
        else if (_flagKind == FlagKind.Logic)
        {
            switch (cc)
            {
                case 4:
                    return _flagResult == 0;
                case 5:
                    return _flagResult != 0;
                default:
                    break;
            }
        }
        return ConditionSlow(cc);
    }

    private bool ConditionSlow(int cc)
    {
        var result = (cc >> 1) switch
        {
            0 => GetOf(),
            1 => GetCf(),
            2 => GetZf(),
            3 => GetCf() || GetZf(),
            4 => GetSf(),
            5 => GetPf(),
            6 => GetSf() != GetOf(),
            _ => GetZf() || GetSf() != GetOf(),
        };
        return result ^ ((cc & 1) != 0);
    }
}
