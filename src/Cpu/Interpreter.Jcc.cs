using System.Runtime.CompilerServices;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>
/// Conditional branches specialised per condition code, so the JIT folds the condition switch and each
/// Jcc site evaluates only its own flags (usually straight from the lazy CMP/SUB operands).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private interface IConditionCode
    {
        static abstract int Value { get; }
    }

    private struct Cc0 : IConditionCode
    {
        public static int Value => 0;
    }

    private struct Cc1 : IConditionCode
    {
        public static int Value => 1;
    }

    private struct Cc2 : IConditionCode
    {
        public static int Value => 2;
    }

    private struct Cc3 : IConditionCode
    {
        public static int Value => 3;
    }

    private struct Cc4 : IConditionCode
    {
        public static int Value => 4;
    }

    private struct Cc5 : IConditionCode
    {
        public static int Value => 5;
    }

    private struct Cc6 : IConditionCode
    {
        public static int Value => 6;
    }

    private struct Cc7 : IConditionCode
    {
        public static int Value => 7;
    }

    private struct Cc8 : IConditionCode
    {
        public static int Value => 8;
    }

    private struct Cc9 : IConditionCode
    {
        public static int Value => 9;
    }

    private struct Cc10 : IConditionCode
    {
        public static int Value => 10;
    }

    private struct Cc11 : IConditionCode
    {
        public static int Value => 11;
    }

    private struct Cc12 : IConditionCode
    {
        public static int Value => 12;
    }

    private struct Cc13 : IConditionCode
    {
        public static int Value => 13;
    }

    private struct Cc14 : IConditionCode
    {
        public static int Value => 14;
    }

    private struct Cc15 : IConditionCode
    {
        public static int Value => 15;
    }

    private static bool Jcc<TC>(X86Cpu c, DecodedOp* op)
        where TC : struct, IConditionCode
    {
        c._rip = c.Condition(TC.Value) ? op->Immediate : op->NextRip;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Handler JccFor(int condition) => condition switch
    {
        0 => &Jcc<Cc0>,
        1 => &Jcc<Cc1>,
        2 => &Jcc<Cc2>,
        3 => &Jcc<Cc3>,
        4 => &Jcc<Cc4>,
        5 => &Jcc<Cc5>,
        6 => &Jcc<Cc6>,
        7 => &Jcc<Cc7>,
        8 => &Jcc<Cc8>,
        9 => &Jcc<Cc9>,
        10 => &Jcc<Cc10>,
        11 => &Jcc<Cc11>,
        12 => &Jcc<Cc12>,
        13 => &Jcc<Cc13>,
        14 => &Jcc<Cc14>,
        15 => &Jcc<Cc15>,
        _ => null,
    };
}
