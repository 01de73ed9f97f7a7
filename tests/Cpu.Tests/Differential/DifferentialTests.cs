using System.Runtime.Intrinsics.X86;
using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using Xunit.Abstractions;

namespace ActorVisor.Cpu.Tests.Differential;

/// <summary>
/// Runs every implemented user-mode integer instruction form on the host processor and on the emulator
/// with the same random registers, flags and memory, and compares all fifteen GPRs (RSP is not an
/// operand), XMM0-15, the six arithmetic flags and the 256-byte memory operand area. The emulator's
/// architecturally undefined flags are AMD's: on an AMD host they are compared too; on any other host
/// the flags the manuals leave undefined for a form (<see cref="UndefinedFlags"/>) are masked out. 16-bit SHLD/SHRD run with counts 0-15 only (larger counts are
/// undefined and this processor's results for them are not modelled). Cases per form: 2000 by default, ACTORVISOR_CPU_CASES to change.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    private const ulong ArithMask = 0x8D5;

    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
        0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFE, 31, 32, 63, 64, 0x0F, 0x10,
    ];

    private static int CasesPerForm =>
        int.TryParse(Environment.GetEnvironmentVariable("ACTORVISOR_CPU_CASES"), out var n) && n > 0 ? n : 2000;

    private const ulong ParityFlag = 0x4, AuxFlag = 0x10, ZeroFlag = 0x40, SignFlag = 0x80, OverflowFlag = 0x800;

    /// <summary>True on an AMD processor, whose undefined-flag results the emulator reproduces.</summary>
    private static readonly bool HostIsAmd = IsAmd();

    private static bool IsAmd()
    {
        if (!X86Base.IsSupported)
        {
            return false;
        }
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> vendor = stackalloc byte[12];
        BitConverter.TryWriteBytes(vendor, ebx);
        BitConverter.TryWriteBytes(vendor[4..], edx);
        BitConverter.TryWriteBytes(vendor[8..], ecx);
        return System.Text.Encoding.ASCII.GetString(vendor) == "AuthenticAMD";
    }

    /// <summary>
    /// Flags that the manuals leave undefined for this case of a form, masked out of the comparison on
    /// a host that is not AMD: SF, ZF, AF and PF of MUL/IMUL; all six after DIV/IDIV; OF, SF, AF and PF of
    /// TZCNT/LZCNT and the bit tests; all but ZF of BSF/BSR; AF of the logic operations; OF of a shift or rotate whose masked count is
    /// not 1, and AF of a shift whose masked count is not 0.
    /// </summary>
    private static ulong UndefinedFlags(InstructionForm form, byte[] bytes, ulong[] regs)
    {
        if (HostIsAmd)
        {
            return 0;
        }
        switch (form.Mnemonic)
        {
            case Mnemonic.Mul:
            case Mnemonic.Imul:
                return SignFlag | ZeroFlag | AuxFlag | ParityFlag;
            case Mnemonic.Div:
            case Mnemonic.Idiv:
                return ArithMask;
            case Mnemonic.Tzcnt:
            case Mnemonic.Lzcnt:
            case Mnemonic.Bt:
            case Mnemonic.Bts:
            case Mnemonic.Btr:
            case Mnemonic.Btc:
                return OverflowFlag | SignFlag | AuxFlag | ParityFlag;
            case Mnemonic.Bsf:
            case Mnemonic.Bsr:
                return ArithMask & ~ZeroFlag;
            case Mnemonic.And:
            case Mnemonic.Or:
            case Mnemonic.Xor:
            case Mnemonic.Test:
                return AuxFlag;
            case Mnemonic.Shld:
            case Mnemonic.Shrd:
                var doubleShift = Decoder.Create(64, bytes).Decode();
                var doubleCount = (doubleShift.Op2Kind == OpKind.Immediate8 ? doubleShift.Immediate8 : (uint)regs[1])
                    & (doubleShift.Op0Kind == OpKind.Register && doubleShift.Op0Register.GetSize() == 8 || doubleShift.MemorySize.GetSize() == 8 ? 0x3Fu : 0x1Fu);
                return (doubleCount != 1 ? OverflowFlag : 0) | (doubleCount != 0 ? AuxFlag : 0);
            case Mnemonic.Rol:
            case Mnemonic.Ror:
            case Mnemonic.Rcl:
            case Mnemonic.Rcr:
            case Mnemonic.Shl:
            case Mnemonic.Sal:
            case Mnemonic.Shr:
            case Mnemonic.Sar:
                var decoder = Decoder.Create(64, bytes);
                var ins = decoder.Decode();
                var count = ins.Op1Kind switch
                {
                    OpKind.Immediate8 => ins.Immediate8,
                    OpKind.Register => (uint)regs[1],
                    _ => 1u,
                };
                count &= ins.Op0Kind == OpKind.Register && ins.Op0Register.GetSize() == 8 || ins.MemorySize.GetSize() == 8 ? 0x3Fu : 0x1Fu;
                var rotate = form.Mnemonic is Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr;
                return (count != 1 ? OverflowFlag : 0) | (!rotate && count != 0 ? AuxFlag : 0);
            default:
                return 0;
        }
    }


    private static ulong NextValue(Random random)
    {
        return random.Next(4) switch
        {
            0 => Interesting[random.Next(Interesting.Length)],
            1 => (ulong)random.Next(0, 80),
            2 => (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63),
            _ => Interesting[random.Next(Interesting.Length)] ^ (ulong)random.Next(0, 4),
        };
    }

    [HostProcessorFact(HostFeature.Popcnt | HostFeature.Bmi1)]
    public void Every_integer_and_SSE_form_matches_the_host_processor()
    {
        using var machine = new Machine();
        using var native = new NativeExecutor();
        var forms = FormCatalog.All(encodingsPerForm: 8, seed: 1234).ToList();
        var random = new Random(42);
        var cases = CasesPerForm;
        var failures = new List<string>();
        long totalCases = 0;
        long divideErrors = 0;
        var regs = new ulong[16];
        var xmm = new ulong[32];
        var data = new byte[256];
        foreach (var form in forms)
        {
            var failuresInForm = 0;
            for (var e = 0; e < form.Encodings.Count; e++)
            {
                var bytes = form.Encodings[e];
                bytes.CopyTo(machine.Memory.Bytes(Machine.CodeAddress, bytes.Length));
                machine.Cpu.InvalidateCodeFrame(Machine.CodeAddress >> 12);
                var perEncoding = cases / form.Encodings.Count + (e < cases % form.Encodings.Count ? 1 : 0);
                for (var c = 0; c < perEncoding && failuresInForm < 3; c++)
                {
                    for (var r = 0; r < 16; r++)
                    {
                        regs[r] = NextValue(random);
                    }
                    random.NextBytes(data);
                    for (var x = 0; x < 32; x++)
                    {
                        xmm[x] = NextXmmHalf(random);
                    }
                    if (random.Next(3) == 0)
                    {
                        BitConverter.TryWriteBytes(data.AsSpan(8 * random.Next(0, 12)), NextValue(random));
                    }
                    var flags = ((ulong)random.NextInt64() & ArithMask) | 2;
                    PrepareOperands(form, regs, data);
                    var emulatorFlags = RunEmulated(machine, regs, xmm, data, flags, form.Mnemonic == Mnemonic.Lea, out var emulated, out var emulatedData, out var emulatedXmm, out var stop);
                    var expectedFault = form.Mnemonic switch
                    {
                        Mnemonic.Div or Mnemonic.Idiv => ExceptionVector.DivideError,
                        Mnemonic.Cmpxchg16b => ExceptionVector.GeneralProtection,
                        _ => -1,
                    };
                    if (stop is not null && machine.Sink.Events.Count == 1 && machine.Sink.Events[0].Vector == expectedFault)
                    {
                        // The host would die of the fault, so it is not run natively: it is checked against exact arithmetic instead.
                        if (FaultIsRequired(bytes, regs, data) is { } unexpected)
                        {
                            failuresInForm++;
                            failures.Add($"{form.Name} `{form.Texts[e]}` in: {Describe(regs, flags)} -> emulator faulted, but {unexpected}");
                        }
                        divideErrors++;
                        continue;
                    }
                    if (Environment.GetEnvironmentVariable("ACTORVISOR_CPU_TRACE") is { } tracePath)
                    {
                        File.AppendAllText(tracePath, $"{form.Name} {form.Texts[e]}\n");
                    }
                    var expected = RunNative(native, regs, xmm, data, flags, bytes, form.Mnemonic == Mnemonic.Lea, out var nativeFlags, out var nativeData, out var nativeXmm);
                    totalCases++;
                    var mask = ArithMask & ~UndefinedFlags(form, bytes, regs);
                    var mismatch = stop is not null ? $"stopped: {stop}" : Compare(expected, emulated, nativeFlags & mask, emulatorFlags & mask, nativeData, emulatedData, nativeXmm, emulatedXmm);
                    if (mismatch is not null)
                    {
                        failuresInForm++;
                        failures.Add($"{form.Name} `{form.Texts[e]}` in: {Describe(regs, flags)} -> {mismatch}");
                    }
                }
            }
        }
        output.WriteLine($"differential: {forms.Count} forms ({forms.Select(f => f.Mnemonic).Distinct().Count()} mnemonics), {totalCases} cases compared, {divideErrors} #DE/#GP cases (divide error, misaligned CMPXCHG16B) not run natively, {failures.Count} failures");
        output.WriteLine(HostIsAmd ? "host: AMD, undefined flags compared" : "host: not AMD, the flags the manual leaves undefined are not compared");
        foreach (var f in failures.Take(150))
        {
            output.WriteLine(f);
        }
        Assert.True(forms.Count > 500, $"only {forms.Count} forms were generated");
        Assert.Empty(failures);
    }

    /// <summary>
    /// Null when the fault the emulator raised is the architectural one: DIV/IDIV raise #DE exactly when
    /// the divisor is zero or the quotient (computed here exactly, with BigInteger) does not fit the
    /// operand size; CMPXCHG16B raises #GP exactly when its operand is not 16-byte aligned. Otherwise
    /// says why the fault is wrong.
    /// </summary>
    private static string? FaultIsRequired(byte[] bytes, ulong[] regs, byte[] data)
    {
        var ins = Decoder.Create(64, bytes).Decode();
        if (ins.Mnemonic == Mnemonic.Cmpxchg16b)
        {
            var address = Machine.DataAddress + ins.MemoryDisplacement64;
            return (address & 15) != 0 ? null : $"its operand at {address:x} is 16-byte aligned";
        }

        int size = ins.Op0Kind == OpKind.Register ? ins.Op0Register.GetSize() : ins.MemorySize.GetSize();
        ulong divisorBits;
        if (ins.Op0Kind == OpKind.Register)
        {
            var register = ins.Op0Register;
            divisorBits = register is Register.AH or Register.CH or Register.DH or Register.BH
                ? regs[register - Register.AH] >> 8
                : regs[register.GetFullRegister() - Register.RAX];
        }
        else
        {
            divisorBits = BitConverter.ToUInt64(data, (int)ins.MemoryDisplacement64);
        }

        int bits = size * 8;
        var mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        divisorBits &= mask;
        bool signed = ins.Mnemonic == Mnemonic.Idiv;
        System.Numerics.BigInteger Value(System.Numerics.BigInteger raw, int width) =>
            signed && raw >= System.Numerics.BigInteger.One << (width - 1) ? raw - (System.Numerics.BigInteger.One << width) : raw;
        System.Numerics.BigInteger dividend = size == 1
            ? regs[0] & 0xFFFF
            : ((System.Numerics.BigInteger)(regs[2] & mask) << bits) | (regs[0] & mask);
        var dividendValue = Value(dividend, size == 1 ? 16 : 2 * bits);
        var divisor = Value(divisorBits, bits);
        if (divisor.IsZero)
        {
            return null;
        }

        var quotient = System.Numerics.BigInteger.Divide(dividendValue, divisor);
        var low = signed ? -(System.Numerics.BigInteger.One << (bits - 1)) : System.Numerics.BigInteger.Zero;
        var high = signed ? (System.Numerics.BigInteger.One << (bits - 1)) - 1 : (System.Numerics.BigInteger.One << bits) - 1;
        return quotient < low || quotient > high ? null : $"{dividendValue} / {divisor} = {quotient} fits {bits} bits";
    }

    /// <summary>Keeps DIV/IDIV mostly away from #DE and BT bit offsets inside the scratch area (a host fault would kill the test process).</summary>
    private static void PrepareOperands(InstructionForm form, ulong[] regs, byte[] data)
    {
        var mnemonic = form.Mnemonic;
        if (form.MemoryVariant && mnemonic is Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc)
        {
            for (var r = 0; r < 16; r++)
            {
                regs[r] &= 0x3FF;
            }
        }
        if (mnemonic is Mnemonic.Div or Mnemonic.Idiv)
        {
            regs[2] = 0;
            regs[0] &= 0x7FFF;
            for (var r = 0; r < 16; r++)
            {
                if (r != 0 && r != 2)
                {
                    regs[r] |= 0x0101010101010101;
                    regs[r] &= 0x7F7F7F7F7F7F7F7F;
                }
            }
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (byte)((data[i] | 1) & 0x7F);
            }
        }
        if (form.Code is Code.Shld_rm16_r16_CL or Code.Shrd_rm16_r16_CL)
        {
            regs[1] = (regs[1] & ~0x1FUL) | (regs[1] % 16);
        }
        regs[4] = 0;
        regs[15] = 0;
    }

    private static ulong NextXmmHalf(Random random)
    {
        return random.Next(6) switch
        {
            0 => BitConverter.DoubleToUInt64Bits((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-60, 60))),
            1 => ((ulong)BitConverter.SingleToUInt32Bits((float)((random.NextDouble() - 0.5) * 1000)) << 32) | BitConverter.SingleToUInt32Bits((float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 40)))),
            2 => Interesting[random.Next(Interesting.Length)],
            3 => BitConverter.DoubleToUInt64Bits(random.Next(-100000, 100000)),
            _ => (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63),
        };
    }

    private static ulong[] RunNative(NativeExecutor native, ulong[] regs, ulong[] xmm, byte[] data, ulong flags, byte[] instruction, bool sameBase, out ulong flagsOut, out byte[] dataOut, out ulong[] xmmOut)
    {
        xmm.CopyTo(native.Xmm);
        var slots = native.Slots;
        for (var r = 0; r < 16; r++)
        {
            slots[r] = regs[r];
        }
        slots[15] = sameBase ? regs[14] : native.DataAddress;
        slots[16] = flags;
        data.CopyTo(native.Data);
        native.Execute(instruction);
        var result = slots[..16].ToArray();
        result[15] = 0;
        result[4] = 0;
        flagsOut = slots[16];
        dataOut = native.Data.ToArray();
        xmmOut = native.Xmm.ToArray();
        return result;
    }

    private static ulong RunEmulated(Machine machine, ulong[] regs, ulong[] xmm, byte[] data, ulong flags, bool sameBase, out ulong[] result, out byte[] dataOut, out ulong[] xmmOut, out string? stop)
    {
        var cpu = machine.Cpu;
        for (var x = 0; x < 16; x++)
        {
            cpu.SetXmm128(x, xmm[2 * x], xmm[(2 * x) + 1]);
        }
        for (var r = 0; r < 16; r++)
        {
            cpu.SetGpr(r, regs[r]);
        }
        cpu.SetGpr(4, Machine.StackTop);
        cpu.SetGpr(15, sameBase ? regs[14] : Machine.DataAddress);
        cpu.Rflags = flags;
        data.CopyTo(machine.Memory.Bytes(Machine.DataAddress, 256));
        cpu.Rip = Machine.CodeAddress;
        machine.Sink.Events.Clear();
        var run = cpu.Run(1);
        stop = run.Reason == StopReason.BudgetExhausted && run.Retired == 1 ? null : $"{run.Reason} retired={run.Retired} {string.Join(";", machine.Sink.Events.Select(e => $"{e.Kind} v{e.Vector}"))} {string.Join(";", machine.Log)}";
        machine.Log.Clear();
        result = new ulong[16];
        for (var r = 0; r < 16; r++)
        {
            result[r] = cpu.GetGpr(r);
        }
        result[4] = 0;
        result[15] = 0;
        dataOut = machine.Memory.Bytes(Machine.DataAddress, 256).ToArray();
        xmmOut = new ulong[32];
        for (var x = 0; x < 16; x++)
        {
            (xmmOut[2 * x], xmmOut[(2 * x) + 1]) = cpu.GetXmm128(x);
        }
        return cpu.Rflags;
    }

    private static string? Compare(ulong[] expected, ulong[] actual, ulong expectedFlags, ulong actualFlags, byte[] expectedData, byte[] actualData, ulong[] expectedXmm, ulong[] actualXmm)
    {
        var diffs = new List<string>();
        for (var x = 0; x < 32; x++)
        {
            if (expectedXmm[x] != actualXmm[x])
            {
                diffs.Add($"xmm{x / 2}.{(x % 2 == 0 ? "lo" : "hi")}: host {expectedXmm[x]:x} emu {actualXmm[x]:x}");
            }
        }
        for (var r = 0; r < 16; r++)
        {
            if (expected[r] != actual[r])
            {
                diffs.Add($"r{r}: host {expected[r]:x} emu {actual[r]:x}");
            }
        }
        if (expectedFlags != actualFlags)
        {
            diffs.Add($"flags: host {expectedFlags:x} emu {actualFlags:x} (diff {expectedFlags ^ actualFlags:x})");
        }
        if (!expectedData.AsSpan().SequenceEqual(actualData))
        {
            var first = Enumerable.Range(0, expectedData.Length).First(i => expectedData[i] != actualData[i]);
            diffs.Add($"memory differs at +{first}: host {expectedData[first]:x2} emu {actualData[first]:x2}");
        }
        return diffs.Count == 0 ? null : string.Join(", ", diffs);
    }

    private static string Describe(ulong[] regs, ulong flags) =>
        $"rax={regs[0]:x} rcx={regs[1]:x} rdx={regs[2]:x} rbx={regs[3]:x} rbp={regs[5]:x} rsi={regs[6]:x} rdi={regs[7]:x} r8={regs[8]:x} r9={regs[9]:x} r10={regs[10]:x} r11={regs[11]:x} r12={regs[12]:x} r13={regs[13]:x} r14={regs[14]:x} fl={flags:x}";
}
