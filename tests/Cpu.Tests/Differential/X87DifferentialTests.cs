using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests.Differential;

/// <summary>
/// Runs x87 forms on the host processor and on the emulator inside a fixed frame: FNINIT, FLDCW, load
/// ST1 = b and ST0 = a from doubles, the form, then FNSTSW to memory, FSTP m80 twice and FNINIT. It
/// compares the 256-byte data area (both stored registers as 80-bit bytes, the whole status word: C0-C3,
/// TOP, ES, SF and all six exception flags, and any memory the form wrote), RAX and ZF/PF/CF. Every case
/// draws a random precision control (24, 53 or 64 bits) and rounding control, and operands among random
/// values and specials (zeros, denormals, the smallest normal, the largest double, infinities, quiet and
/// signalling NaNs); a random 80-bit operand (normal, denormal, pseudo-denormal, infinity or NaN with a
/// random significand) feeds FLD m80 and the operation after it. Incomplete FPREM/FPREM1 steps (C2 set)
/// are compared like any other result. The transcendental forms may differ from the host by one unit in
/// the last place of a stored register (with C1, which reports the rounding direction, free to differ
/// then); the exact and one-ulp counts are printed, and anything further is a failure.
/// </summary>
public sealed class X87DifferentialTests(ITestOutputHelper output)
{
    private const int OperandA = 32;
    private const int OperandB = 40;
    private const int ControlWord = 72;
    private const int StatusOut = 128;
    private const int StoreOut = 136;

    private static readonly ulong[] Specials =
    [
        0, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
        0x7FF8000000000000, 0x7FF8000000001234, 0xFFFC000000000000, 0x7FF0000000000001, 0x7FEFFFFFFFFFFFFF,
        0x0010000000000000, 0x0000000000000001, 0x000FFFFFFFFFFFFF, 0x4330000000000000, 0xC1E0000000000000,
        0x3FE0000000000000, 0x3FF8000000000000, 0x4002000000000000, 0xC004000000000000,
    ];

    private sealed record X87Form(string Name, bool Arithmetic, bool ComparesFlags, Action<Assembler> Emit)
    {
        /// <summary>Results may be one ulp from the host's (the transcendentals).</summary>
        public bool WithinUlp { get; init; }

        /// <summary>Draws operand a (a double's bits) when the form defines its result only on a range.</summary>
        public Func<Random, ulong>? OperandA { get; init; }
    }

    private static ulong Uniform(Random random, double limit) => BitConverter.DoubleToUInt64Bits((random.NextDouble() * 2 - 1) * limit * (random.Next(4) == 0 ? Math.Pow(2, -random.Next(1, 70)) : 1));

    private static AssemblerMemoryOperand At(int offset) => __[r15 + offset];

    private static IEnumerable<X87Form> Forms()
    {
        var binary = new (string Name, Action<Assembler, AssemblerRegisterST, AssemblerRegisterST> Reg, Action<Assembler, AssemblerMemoryOperand> Mem, Action<Assembler, AssemblerMemoryOperand> Int, Action<Assembler> Pop)[]
        {
            ("fadd", (a, d, s) => a.fadd(d, s), (a, m) => a.fadd(m), (a, m) => a.fiadd(m), a => a.faddp(st1, st0)),
            ("fsub", (a, d, s) => a.fsub(d, s), (a, m) => a.fsub(m), (a, m) => a.fisub(m), a => a.fsubp(st1, st0)),
            ("fsubr", (a, d, s) => a.fsubr(d, s), (a, m) => a.fsubr(m), (a, m) => a.fisubr(m), a => a.fsubrp(st1, st0)),
            ("fmul", (a, d, s) => a.fmul(d, s), (a, m) => a.fmul(m), (a, m) => a.fimul(m), a => a.fmulp(st1, st0)),
            ("fdiv", (a, d, s) => a.fdiv(d, s), (a, m) => a.fdiv(m), (a, m) => a.fidiv(m), a => a.fdivp(st1, st0)),
            ("fdivr", (a, d, s) => a.fdivr(d, s), (a, m) => a.fdivr(m), (a, m) => a.fidivr(m), a => a.fdivrp(st1, st0)),
        };
        foreach (var (name, reg, mem, integer, pop) in binary)
        {
            yield return new($"{name} st0,st1", true, false, a => reg(a, st0, st1));
            yield return new($"{name} st1,st0", true, false, a => reg(a, st1, st0));
            yield return new($"{name}p st1,st0", true, false, pop);
            yield return new($"{name} m64", true, false, a => mem(a, __qword_ptr[r15 + OperandB]));
            yield return new($"{name} m32", true, false, a => mem(a, __dword_ptr[r15 + 48]));
            yield return new($"fi{name[1..]} m32", true, false, a => integer(a, __dword_ptr[r15 + 52]));
            yield return new($"fi{name[1..]} m16", true, false, a => integer(a, __word_ptr[r15 + 56]));
        }
        yield return new("fsqrt", true, false, a => a.fsqrt());
        yield return new("fld m80; fsqrt", true, false, a =>
        {
            a.fld(__tword_ptr[r15]);
            a.fsqrt();
        });
        foreach (var (name, _, _, _, pop) in binary)
        {
            yield return new($"fld m80; {name}p", true, false, a =>
            {
                a.fld(__tword_ptr[r15]);
                pop(a);
            });
        }
        yield return new("fprem", false, false, a => a.fprem());
        yield return new("fprem1", false, false, a => a.fprem1());
        yield return new("fchs", false, false, a => a.fchs());
        yield return new("fabs", false, false, a => a.fabs());
        yield return new("frndint", false, false, a => a.frndint());
        yield return new("fxch st1", false, false, a => a.fxch(st0, st1));
        yield return new("fld st1", false, false, a => a.fld(st1));
        yield return new("fst st1", false, false, a => a.fst(st1));
        yield return new("fstp st1", false, false, a => a.fstp(st1));
        yield return new("fld m80", false, false, a => a.fld(__tword_ptr[r15]));
        yield return new("fld m32", false, false, a => a.fld(__dword_ptr[r15 + 48]));
        yield return new("fild m16", false, false, a => a.fild(__word_ptr[r15 + 56]));
        yield return new("fild m32", false, false, a => a.fild(__dword_ptr[r15 + 52]));
        yield return new("fild m64", false, false, a => a.fild(__qword_ptr[r15 + 64]));
        yield return new("fst m64", false, false, a => a.fst(__qword_ptr[r15 + StoreOut]));
        yield return new("fst m32", false, false, a => a.fst(__dword_ptr[r15 + StoreOut]));
        yield return new("fstp m80", false, false, a => a.fstp(__tword_ptr[r15 + StoreOut]));
        yield return new("fist m16", false, false, a => a.fist(__word_ptr[r15 + StoreOut]));
        yield return new("fist m32", false, false, a => a.fist(__dword_ptr[r15 + StoreOut]));
        yield return new("fistp m16", false, false, a => a.fistp(__word_ptr[r15 + StoreOut]));
        yield return new("fistp m32", false, false, a => a.fistp(__dword_ptr[r15 + StoreOut]));
        yield return new("fistp m64", false, false, a => a.fistp(__qword_ptr[r15 + StoreOut]));
        yield return new("fisttp m16", false, false, a => a.fisttp(__word_ptr[r15 + StoreOut]));
        yield return new("fisttp m32", false, false, a => a.fisttp(__dword_ptr[r15 + StoreOut]));
        yield return new("fisttp m64", false, false, a => a.fisttp(__qword_ptr[r15 + StoreOut]));
        foreach (var (name, emit) in new (string, Action<Assembler>)[]
        {
            ("fld1", a => a.fld1()), ("fldz", a => a.fldz()), ("fldpi", a => a.fldpi()), ("fldl2e", a => a.fldl2e()),
            ("fldl2t", a => a.fldl2t()), ("fldlg2", a => a.fldlg2()), ("fldln2", a => a.fldln2()),
            ("fcom st1", a => a.fcom(st0, st1)), ("fcomp st1", a => a.fcomp(st0, st1)), ("fcompp", a => a.fcompp()),
            ("fucom st1", a => a.fucom(st0, st1)), ("fucomp st1", a => a.fucomp(st0, st1)), ("fucompp", a => a.fucompp()),
            ("fcom m64", a => a.fcom(__qword_ptr[r15 + OperandB])), ("fcomp m32", a => a.fcomp(__dword_ptr[r15 + 48])),
            ("ficom m32", a => a.ficom(__dword_ptr[r15 + 52])), ("ficomp m16", a => a.ficomp(__word_ptr[r15 + 56])),
            ("ftst", a => a.ftst()), ("fxam", a => a.fxam()), ("fnstsw ax", a => a.fnstsw(ax)),
            ("fnstcw m16", a => a.fnstcw(__word_ptr[r15 + StoreOut])), ("ffree st1", a => a.ffree(st1)),
            ("fincstp", a => a.fincstp()), ("fdecstp", a => a.fdecstp()),

            // The undocumented or obsolete forms an x86-64 processor still runs: FFREEP ST(1), FSTPNCE ST(1)
            // (an alias of FSTP), and the 8087/80287 controls FNENI, FNDISI, FNSETPM (no-ops since the 80387).
            ("ffreep st1", a => a.db(0xDF, 0xC1)), ("fstpnce st1", a => a.db(0xD9, 0xD9)),
            ("fneni", a => a.db(0xDB, 0xE0)), ("fndisi", a => a.db(0xDB, 0xE1)), ("fnsetpm", a => a.db(0xDB, 0xE4)),
        })
        {
            yield return new(name, false, false, emit);
        }
        foreach (var (name, emit, range) in new (string, Action<Assembler>, Func<Random, ulong>?)[]
        {
            ("fsin", a => a.fsin(), null), ("fcos", a => a.fcos(), null), ("fsincos", a => a.fsincos(), null), ("fptan", a => a.fptan(), null),
            ("fsin small", a => a.fsin(), r => Uniform(r, 4)), ("fcos small", a => a.fcos(), r => Uniform(r, 4)),
            ("fsincos small", a => a.fsincos(), r => Uniform(r, 8)), ("fptan small", a => a.fptan(), r => Uniform(r, 2)),
            ("fpatan", a => a.fpatan(), null), ("fyl2x", a => a.fyl2x(), null),
            ("fyl2x positive", a => a.fyl2x(), r => BitConverter.DoubleToUInt64Bits(Math.Abs(BitConverter.UInt64BitsToDouble(NextDouble(r))))),
            ("fyl2xp1", a => a.fyl2xp1(), r => Uniform(r, 0.29)), ("f2xm1", a => a.f2xm1(), r => Uniform(r, 1)),
            ("fld m80; fsin", a => { a.fld(__tword_ptr[r15]); a.fsin(); }, null),
            ("fld m80; fcos", a => { a.fld(__tword_ptr[r15]); a.fcos(); }, null),
            ("fld m80; fptan", a => { a.fstp(st0); a.fld(__tword_ptr[r15]); a.fptan(); }, null),
            ("fld m80; fpatan", a => { a.fld(__tword_ptr[r15]); a.fpatan(); }, null),
            ("fld m80; fyl2x", a => { a.fld(__tword_ptr[r15]); a.fabs(); a.fyl2x(); }, null),
        })
        {
            yield return new(name, false, false, emit) { WithinUlp = true, OperandA = range };
        }
        yield return new("fscale", false, false, a => a.fscale());
        yield return new("fld m80; fscale", false, false, a =>
        {
            a.fld(__tword_ptr[r15]);
            a.fscale();
        });
        yield return new("fxtract", false, false, a =>
        {
            a.fstp(st0);
            a.fxtract();
        });
        yield return new("fld m80; fxtract", false, false, a =>
        {
            a.fstp(st0);
            a.fstp(st0);
            a.fld(__tword_ptr[r15]);
            a.fxtract();
        });
        yield return new("fbstp m80", false, false, a => a.fbstp(__tword_ptr[r15 + StoreOut]));
        yield return new("fbld m80 (from operand b)", false, false, a =>
        {
            a.fbstp(__tword_ptr[r15 + StoreOut]);
            a.fbld(__tword_ptr[r15 + StoreOut]);
        });
        yield return new("fld m80; fbstp", false, false, a =>
        {
            a.fld(__tword_ptr[r15]);
            a.fbstp(__tword_ptr[r15 + StoreOut]);
        });
        yield return new("fld m80; fprem", false, false, a =>
        {
            a.fld(__tword_ptr[r15]);
            a.fprem();
        });
        yield return new("fld m80; fprem1", false, false, a =>
        {
            a.fld(__tword_ptr[r15]);
            a.fprem1();
        });
        foreach (var (name, emit) in new (string, Action<Assembler>)[]
        {
            ("fcomi", a => a.fcomi(st0, st1)), ("fcomip", a => a.fcomip(st0, st1)), ("fucomi", a => a.fucomi(st0, st1)), ("fucomip", a => a.fucomip(st0, st1)),
            ("fcmovb", a => a.fcmovb(st0, st1)), ("fcmove", a => a.fcmove(st0, st1)), ("fcmovbe", a => a.fcmovbe(st0, st1)), ("fcmovu", a => a.fcmovu(st0, st1)),
            ("fcmovnb", a => a.fcmovnb(st0, st1)), ("fcmovne", a => a.fcmovne(st0, st1)), ("fcmovnbe", a => a.fcmovnbe(st0, st1)), ("fcmovnu", a => a.fcmovnu(st0, st1)),
        })
        {
            yield return new(name, false, true, emit);
        }
    }

    private static byte[] Frame(X87Form form, out int count)
    {
        var a = new Assembler(64);
        a.fninit();
        a.fldcw(__word_ptr[r15 + ControlWord]);
        a.fld(__qword_ptr[r15 + OperandB]);
        a.fld(__qword_ptr[r15 + OperandA]);
        form.Emit(a);
        a.fnstsw(__word_ptr[r15 + StatusOut]);
        a.fstp(__tword_ptr[r15 + 96]);
        a.fstp(__tword_ptr[r15 + 112]);
        a.fninit();
        count = a.Instructions.Count;
        var writer = new CodeWriterImpl();
        a.Assemble(writer, 0);
        return writer.ToArray();
    }

    private sealed class CodeWriterImpl : CodeWriter
    {
        private readonly List<byte> _bytes = [];

        public override void WriteByte(byte value) => _bytes.Add(value);

        public byte[] ToArray() => [.. _bytes];
    }

    private static ulong NextDouble(Random random)
    {
        if (random.Next(3) == 0)
        {
            var special = Specials[random.Next(Specials.Length)];
            return special;
        }
        var value = (random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-60, 60));
        return BitConverter.DoubleToUInt64Bits(random.Next(4) == 0 ? Math.Round(value * 4) / 4 : value);
    }

    [LinuxX64Fact]
    public void Every_x87_form_matches_the_host_processor()
    {
        using var machine = new Machine();
        using var native = new NativeExecutor();
        var random = new Random(87);
        var casesPerForm = Math.Max(100, (int.TryParse(Environment.GetEnvironmentVariable("ACTORVISOR_CPU_CASES"), out var n) && n > 0 ? n : 2000) / 4);
        var forms = Forms().ToList();
        var failures = new List<string>();
        var data = new byte[256];
        long total = 0;
        long partialRemainders = 0;
        long transcendentalExact = 0;
        long transcendentalUlp = 0;
        long c1Differs = 0;
        foreach (var form in forms)
        {
            var code = Frame(form, out var count);
            code.CopyTo(machine.Memory.Bytes(Machine.CodeAddress, code.Length));
            machine.Cpu.InvalidateCodeFrame(Machine.CodeAddress >> 12);
            var failed = 0;
            for (var c = 0; c < casesPerForm && failed < 3; c++)
            {
                random.NextBytes(data);
                var a = form.OperandA?.Invoke(random) ?? NextDouble(random);
                var b = random.Next(8) == 0 ? a : NextDouble(random);
                BitConverter.TryWriteBytes(data.AsSpan(OperandA), a);
                BitConverter.TryWriteBytes(data.AsSpan(OperandB), b);
                var single = BitConverter.SingleToUInt32Bits((float)BitConverter.UInt64BitsToDouble(NextDouble(random)));
                BitConverter.TryWriteBytes(data.AsSpan(48), random.Next(6) == 0 ? (uint)Specials[random.Next(Specials.Length)] >> 32 | 0x7F800000 : single);
                BitConverter.TryWriteBytes(data.AsSpan(52), random.Next(3) == 0 ? random.Next(-70000, 70000) : random.Next());
                BitConverter.TryWriteBytes(data.AsSpan(56), (short)random.Next(-40000, 40000));
                var exponent = random.Next(5) switch { 0 => 0, 1 => 0x7FFF, _ => random.Next(0x3C00, 0x4400) };
                var mantissa = (ulong)random.NextInt64() | (exponent == 0 ? 0 : 1UL << 63);
                var pseudoDenormal = exponent == 0 && random.Next(3) == 0;
                BitConverter.TryWriteBytes(data.AsSpan(0), exponent == 0 && !pseudoDenormal ? mantissa & ~(1UL << 63) : mantissa | (pseudoDenormal ? 1UL << 63 : 0));
                BitConverter.TryWriteBytes(data.AsSpan(8), (ushort)(exponent | (random.Next(2) << 15)));
                var rounding = random.Next(4);
                var precision = random.Next(3) switch { 0 => 0, 1 => 2, _ => 3 };
                BitConverter.TryWriteBytes(data.AsSpan(ControlWord), (ushort)(0x7F | (precision << 8) | (rounding << 10)));
                var rax = (ulong)random.NextInt64();
                var flags = ((ulong)random.NextInt64() & 0x8D5) | 2;

                var slots = native.Slots;
                for (var r = 0; r < 16; r++)
                {
                    slots[r] = 0;
                }
                slots[0] = rax;
                slots[15] = native.DataAddress;
                slots[16] = flags;
                data.CopyTo(native.Data);
                native.Execute(code);
                var nativeData = native.Data.ToArray();
                var nativeRax = slots[0];
                var nativeFlags = slots[16];

                var cpu = machine.Cpu;
                cpu.SetGpr(0, rax);
                cpu.SetGpr(15, Machine.DataAddress);
                cpu.Rflags = flags;
                data.CopyTo(machine.Memory.Bytes(Machine.DataAddress, 256));
                cpu.Rip = Machine.CodeAddress;
                machine.Sink.Events.Clear();
                var run = cpu.Run(count);
                var emulatedData = machine.Memory.Bytes(Machine.DataAddress, 256).ToArray();
                if (form.Name.Contains("fprem", StringComparison.Ordinal) && (BitConverter.ToUInt16(nativeData, StatusOut) & 0x400) != 0)
                {
                    partialRemainders++;
                }
                total++;
                var ulps = form.WithinUlp && run.Retired == count ? UlpDistance(nativeData, emulatedData) : 0;
                if (form.WithinUlp && ulps == 0)
                {
                    transcendentalExact++;
                }
                else if (ulps == 1)
                {
                    transcendentalUlp++;
                    AlignOneUlp(nativeData, emulatedData);
                }
                if (form.WithinUlp && ulps == 0 && ((BitConverter.ToUInt16(nativeData, StatusOut) ^ BitConverter.ToUInt16(emulatedData, StatusOut)) & 0x200) != 0)
                {
                    c1Differs++;
                    AlignOneUlp(nativeData, emulatedData);
                }
                var mismatch = Compare(run.Retired == count ? null : $"retired {run.Retired} {run.Reason} {string.Join(";", machine.Log)}",
                    nativeData, emulatedData, nativeRax, cpu.GetGpr(0), form.ComparesFlags ? nativeFlags & 0x45 : 0, form.ComparesFlags ? cpu.Rflags & 0x45 : 0);
                machine.Log.Clear();
                if (mismatch is not null)
                {
                    failed++;
                    failures.Add($"{form.Name}: a={a:x16} b={b:x16} m80={Convert.ToHexString(data, 0, 10)} m32={BitConverter.ToUInt32(data, 48):x8} pc={precision} rc={rounding} -> {mismatch}");
                }
            }
        }
        output.WriteLine($"x87 differential: {forms.Count} forms, {total} cases compared ({partialRemainders} incomplete FPREM/FPREM1 steps among them), {failures.Count} failures");
        output.WriteLine($"transcendentals: {transcendentalExact} results bit-exact with the host, {transcendentalUlp} one ulp away; C1 differs on {c1Differs} of the bit-exact ones");
        foreach (var f in failures.Take(100))
        {
            output.WriteLine(f);
        }
        Assert.True(forms.Count > 90, $"only {forms.Count} forms");
        Assert.Empty(failures);
    }

    /// <summary>
    /// The largest distance, in units of the last place of the 64-bit significand, between the host's and
    /// the emulator's stored registers (at 96 and 112); 2 stands for "further, or not comparable".
    /// </summary>
    private static int UlpDistance(byte[] expected, byte[] actual)
    {
        var worst = 0;
        foreach (var offset in new[] { 96, 112 })
        {
            var e = Ordinal(expected, offset);
            var a = Ordinal(actual, offset);
            if (e is null || a is null)
            {
                worst = Math.Max(worst, expected.AsSpan(offset, 10).SequenceEqual(actual.AsSpan(offset, 10)) ? 0 : 2);
                continue;
            }
            var d = e.Value > a.Value ? e.Value - a.Value : a.Value - e.Value;
            worst = Math.Max(worst, d == 0 ? 0 : d == 1 ? 1 : 2);
        }
        return worst;
    }

    /// <summary>A finite normal 80-bit value as a signed position on the number line (one step = one ulp), or null.</summary>
    private static Int128? Ordinal(byte[] data, int offset)
    {
        var mantissa = BitConverter.ToUInt64(data, offset);
        var se = BitConverter.ToUInt16(data, offset + 8);
        var exponent = se & 0x7FFF;
        if (exponent == 0x7FFF || (exponent != 0 && (mantissa >> 63) == 0))
        {
            return null;
        }
        var magnitude = ((Int128)exponent << 63) + (Int128)(mantissa & ~(1UL << 63)) + (exponent == 0 ? (Int128)(mantissa >> 63) << 63 : 0);
        return (se & 0x8000) != 0 ? -magnitude : magnitude;
    }

    /// <summary>For a one-ulp result, makes the emulator's stored registers and C1 the host's so the remaining comparison checks everything else.</summary>
    private static void AlignOneUlp(byte[] expected, byte[] actual)
    {
        expected.AsSpan(96, 26).CopyTo(actual.AsSpan(96));
        var c1 = BitConverter.ToUInt16(expected, StatusOut) & 0x200;
        var status = (BitConverter.ToUInt16(actual, StatusOut) & ~0x200) | c1;
        BitConverter.TryWriteBytes(actual.AsSpan(StatusOut), (ushort)status);
    }

    private static string? Compare(string? stop, byte[] expected, byte[] actual, ulong expectedRax, ulong actualRax, ulong expectedFlags, ulong actualFlags)
    {
        if (stop is not null)
        {
            return stop;
        }
        var statusMask = (ushort)0xFFFF;
        var expectedStatus = BitConverter.ToUInt16(expected, StatusOut) & statusMask;
        var actualStatus = BitConverter.ToUInt16(actual, StatusOut) & statusMask;
        BitConverter.TryWriteBytes(expected.AsSpan(StatusOut), (ushort)expectedStatus);
        BitConverter.TryWriteBytes(actual.AsSpan(StatusOut), (ushort)actualStatus);
        var diffs = new List<string>();
        if (expectedStatus != actualStatus)
        {
            diffs.Add($"status host {expectedStatus:x4} emu {actualStatus:x4}");
        }
        var raxMask = ~(0xFFFFUL & ~(ulong)statusMask);
        if ((expectedRax & raxMask) != (actualRax & raxMask))
        {
            diffs.Add($"rax host {expectedRax:x} emu {actualRax:x}");
        }
        if (expectedFlags != actualFlags)
        {
            diffs.Add($"flags host {expectedFlags:x} emu {actualFlags:x}");
        }
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                diffs.Add($"byte +{i} host {Convert.ToHexString(expected, i & ~7, 8)} emu {Convert.ToHexString(actual, i & ~7, 8)}");
                break;
            }
        }
        return diffs.Count == 0 ? null : string.Join(", ", diffs);
    }
}
