using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using Xunit.Abstractions;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests.Differential;

/// <summary>
/// Runs every packed-integer SSE2/SSSE3/SSE4.1/SSE4.2 form, their MMX forms and the GPR extensions
/// (CRC32, MOVBE, LZCNT/TZCNT/POPCNT, BMI1/BMI2, LAHF/SAHF) on the host processor and on the emulator with
/// the same random GPRs, XMM0-15, flags and 256-byte data area, and compares all of them afterwards
/// (so every register not under test must come out unchanged). Vector lanes are drawn per 64-bit half
/// from random bits, the edges of each lane width (0, 1, -1, the signed and unsigned minimum and maximum)
/// and short zero-terminated strings for PCMPxSTRx. MMX forms run inside a frame that loads MM0-7 from
/// bytes 192-255 of the data area, and stores them back and executes EMMS after the form. Memory
/// operands that the manual requires to be aligned are also run, on the emulator only, at a misaligned
/// address, and must raise #GP(0). Cases per form: ACTORVISOR_CPU_CASES / 5 (default 300).
/// </summary>
public sealed class SseIntegerDifferentialTests(ITestOutputHelper output)
{
    private const ulong ArithMask = 0x8D5;
    private const int MmxArea = 192;

    private static readonly byte[] InterestingBytes = [0, 1, 0x7F, 0x80, 0x81, 0xFE, 0xFF, 0x40];
    private static readonly ushort[] InterestingWords = [0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x00FF, 0xFF00, 0x4000];
    private static readonly uint[] InterestingDwords = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x0000FFFF, 0xFFFF0000, 0x00008000, 0xFFFF8000];
    private static readonly ulong[] InterestingGprs =
    [
        0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 63, 64, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
        0x8000000000000000, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFF0, 0xFFFFFFFFFFFFFFFC, 0x0804, 0x1F20, 0x4008,
    ];

    /// <summary>Flags the manual leaves undefined for a form (processors differ in them; masked out of the comparison).</summary>
    private static ulong UndefinedFlags(Mnemonic mnemonic) => mnemonic switch
    {
        Mnemonic.Lzcnt or Mnemonic.Tzcnt => FlagOf | FlagSf | FlagPf | FlagAf,
        Mnemonic.Andn or Mnemonic.Blsi or Mnemonic.Blsmsk or Mnemonic.Blsr or Mnemonic.Bzhi => FlagPf | FlagAf,
        Mnemonic.Bextr => FlagSf | FlagPf | FlagAf,
        _ => 0,
    };

    private const ulong FlagPf = 1UL << 2;
    private const ulong FlagAf = 1UL << 4;
    private const ulong FlagSf = 1UL << 7;
    private const ulong FlagOf = 1UL << 11;

    private static int CasesPerForm =>
        int.TryParse(Environment.GetEnvironmentVariable("ACTORVISOR_CPU_CASES"), out var n) && n > 0 ? Math.Max(20, n / 5) : 300;

    [HostProcessorFact]
    public void Sse2_packed_integer_forms_match_the_host_processor() => Run(SseIntegerFamily.Sse2, minimumForms: 150);

    [HostProcessorFact(HostFeature.Ssse3 | HostFeature.Sse41)]
    public void Ssse3_and_Sse41_packed_integer_forms_match_the_host_processor() => Run(SseIntegerFamily.Ssse3AndSse41, minimumForms: 100);

    [HostProcessorFact(HostFeature.Sse42)]
    public void Sse42_string_compare_Crc32_and_Pcmpgtq_forms_match_the_host_processor() => Run(SseIntegerFamily.Sse42, minimumForms: 15);

    [HostProcessorFact(HostFeature.Ssse3)]
    public void Mmx_forms_match_the_host_processor() => Run(SseIntegerFamily.Mmx, minimumForms: 120);

    [HostProcessorFact(HostFeature.Bmi1 | HostFeature.Bmi2 | HostFeature.Lzcnt | HostFeature.Popcnt | HostFeature.Movbe)]
    public void Bmi_Movbe_and_bit_count_forms_match_the_host_processor() => Run(SseIntegerFamily.GprExtensions, minimumForms: 50);

    private void Run(SseIntegerFamily family, int minimumForms)
    {
        using var machine = new Machine();
        using var native = new NativeExecutor();
        var forms = SseIntegerForms.For(family, encodingsPerForm: 4, seed: 4321 + (int)family).ToList();
        var random = new Random(77 + (int)family);
        var failures = new List<string>();
        var regs = new ulong[16];
        var xmm = new ulong[32];
        var data = new byte[256];
        long compared = 0;
        long misalignedChecked = 0;
        foreach (var form in forms)
        {
            var failed = 0;
            for (var e = 0; e < form.Encodings.Count && failed < 3; e++)
            {
                var code = Frame(form.Encodings[e], form.UsesMmx, out var count);
                Load(machine, code);
                var cases = CasesPerForm / form.Encodings.Count;
                for (var c = 0; c < cases && failed < 3; c++)
                {
                    Draw(random, form, regs, xmm, data);
                    var flags = ((ulong)random.NextInt64() & ArithMask) | 2;
                    var emulated = RunEmulated(machine, form, regs, xmm, data, flags, count, out var stop);
                    var expected = RunNative(native, form, regs, xmm, data, flags, code);
                    compared++;
                    var mismatch = stop ?? Compare(expected, emulated, ~UndefinedFlags(form.Mnemonic));
                    if (mismatch is not null)
                    {
                        failed++;
                        failures.Add($"{form.Name} `{form.Texts[e]}` rax={regs[0]:x} rcx={regs[1]:x} rdx={regs[2]:x} fl={flags:x} -> {mismatch}");
                    }
                }
            }
            foreach (var bytes in form.Misaligned)
            {
                var code = Frame(bytes, form.UsesMmx, out var count);
                Load(machine, code);
                Draw(random, form, regs, xmm, data);
                RunEmulated(machine, form, regs, xmm, data, 2, count, out var stop);
                misalignedChecked++;
                var events = machine.Sink.Events;
                if (events.Count != 1 || events[0].Vector != ExceptionVector.GeneralProtection || events[0].ErrorCode != 0)
                {
                    failures.Add($"{form.Name} at a misaligned address: expected #GP(0), got {stop ?? "no fault"}");
                }
            }
        }
        output.WriteLine($"{family}: {forms.Count} forms ({forms.Select(f => f.Mnemonic).Distinct().Count()} mnemonics), {compared} cases compared with the host, {misalignedChecked} misaligned operands checked for #GP, {failures.Count} failures");
        var listed = family == SseIntegerFamily.Mmx ? [] : SseIntegerForms.Families[family];
        var untested = listed.Except(forms.Select(f => f.Mnemonic)).ToList();
        if (untested.Count > 0)
        {
            failures.Add($"listed mnemonics without a generated form: {string.Join(", ", untested)}");
        }
        foreach (var f in failures.Take(100))
        {
            output.WriteLine(f);
        }
        Assert.True(forms.Count >= minimumForms, $"only {forms.Count} forms were generated");
        Assert.Empty(failures);
    }

    private static void Load(Machine machine, byte[] code)
    {
        code.CopyTo(machine.Memory.Bytes(Machine.CodeAddress, code.Length));
        machine.Cpu.InvalidateCodeFrame(Machine.CodeAddress >> 12);
    }

    /// <summary>The form alone, or for MMX forms: MOVQ MM0-7 from the data area, the form, MOVQ MM0-7 back, EMMS.</summary>
    private static byte[] Frame(byte[] form, bool mmx, out int count)
    {
        if (!mmx)
        {
            count = 1;
            return form;
        }
        var before = new Assembler(64);
        var after = new Assembler(64);
        var mm = new[] { mm0, mm1, mm2, mm3, mm4, mm5, mm6, mm7 };
        for (var i = 0; i < 8; i++)
        {
            before.movq(mm[i], __qword_ptr[r15 + MmxArea + (8 * i)]);
            after.movq(__qword_ptr[r15 + MmxArea + (8 * i)], mm[i]);
        }
        after.emms();
        count = 18;
        return [.. Assemble(before), .. form, .. Assemble(after)];
    }

    private static byte[] Assemble(Assembler assembler)
    {
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), 0);
        return stream.ToArray();
    }

    private static ulong NextHalf(Random random)
    {
        ulong v = 0;
        switch (random.Next(7))
        {
            case 0:
            case 1:
                return (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
            case 2:
                for (var i = 0; i < 8; i++)
                {
                    v |= (ulong)InterestingBytes[random.Next(InterestingBytes.Length)] << (8 * i);
                }
                return v;
            case 3:
                for (var i = 0; i < 4; i++)
                {
                    v |= (ulong)InterestingWords[random.Next(InterestingWords.Length)] << (16 * i);
                }
                return v;
            case 4:
                return InterestingDwords[random.Next(InterestingDwords.Length)] | ((ulong)InterestingDwords[random.Next(InterestingDwords.Length)] << 32);
            case 5:
                for (var i = 0; i < 8; i++)
                {
                    var b = random.Next(6) == 0 ? 0 : 'a' + random.Next(5);
                    v |= (ulong)b << (8 * i);
                }
                return v;
            default:
                return random.Next(3) switch { 0 => 0, 1 => ulong.MaxValue, _ => (ulong)random.Next(0, 80) };
        }
    }

    private static void Draw(Random random, SseIntegerForm form, ulong[] regs, ulong[] xmm, byte[] data)
    {
        for (var r = 0; r < 16; r++)
        {
            regs[r] = random.Next(3) switch
            {
                0 => InterestingGprs[random.Next(InterestingGprs.Length)],
                1 => (ulong)random.Next(-20, 20),
                _ => (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63),
            };
        }
        for (var x = 0; x < 32; x++)
        {
            xmm[x] = NextHalf(random);
        }
        for (var i = 0; i < 256; i += 8)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i), NextHalf(random));
        }
        regs[4] = 0;
        regs[15] = 0;
    }

    /// <summary>RDI is the MASKMOVDQU/MASKMOVQ destination: an offset into the data area on both sides (compared as that offset).</summary>
    private static bool RdiIsPointer(SseIntegerForm form) => form.Mnemonic is Mnemonic.Maskmovdqu or Mnemonic.Maskmovq;

    private sealed record Outcome(ulong[] Regs, ulong Flags, ulong[] Xmm, byte[] Data);

    private static Outcome RunNative(NativeExecutor native, SseIntegerForm form, ulong[] regs, ulong[] xmm, byte[] data, ulong flags, byte[] code)
    {
        xmm.CopyTo(native.Xmm);
        var slots = native.Slots;
        for (var r = 0; r < 16; r++)
        {
            slots[r] = regs[r];
        }
        slots[15] = native.DataAddress;
        if (RdiIsPointer(form))
        {
            slots[7] = native.DataAddress + (regs[7] & 0x3F);
        }
        slots[16] = flags;
        data.CopyTo(native.Data);
        native.Execute(code);
        var result = slots[..16].ToArray();
        result[15] = 0;
        result[4] = 0;
        if (RdiIsPointer(form))
        {
            result[7] -= native.DataAddress;
        }
        return new Outcome(result, slots[16] & ArithMask, native.Xmm.ToArray(), native.Data.ToArray());
    }

    private static Outcome RunEmulated(Machine machine, SseIntegerForm form, ulong[] regs, ulong[] xmm, byte[] data, ulong flags, int count, out string? stop)
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
        cpu.SetGpr(15, Machine.DataAddress);
        if (RdiIsPointer(form))
        {
            cpu.SetGpr(7, Machine.DataAddress + (regs[7] & 0x3F));
        }
        cpu.Rflags = flags;
        data.CopyTo(machine.Memory.Bytes(Machine.DataAddress, 256));
        cpu.Rip = Machine.CodeAddress;
        machine.Sink.Events.Clear();
        var run = cpu.Run(count);
        stop = run.Reason == StopReason.BudgetExhausted && run.Retired == count ? null : $"stopped: {run.Reason} retired={run.Retired} {string.Join(";", machine.Sink.Events.Select(e => $"{e.Kind} v{e.Vector} e{e.ErrorCode}"))} {string.Join(";", machine.Log)}";
        machine.Log.Clear();
        var result = new ulong[16];
        for (var r = 0; r < 16; r++)
        {
            result[r] = cpu.GetGpr(r);
        }
        result[4] = 0;
        result[15] = 0;
        if (RdiIsPointer(form))
        {
            result[7] -= Machine.DataAddress;
        }
        var xmmOut = new ulong[32];
        for (var x = 0; x < 16; x++)
        {
            (xmmOut[2 * x], xmmOut[(2 * x) + 1]) = cpu.GetXmm128(x);
        }
        return new Outcome(result, cpu.Rflags & ArithMask, xmmOut, machine.Memory.Bytes(Machine.DataAddress, 256).ToArray());
    }

    private static string? Compare(Outcome host, Outcome emulator, ulong flagMask)
    {
        var diffs = new List<string>();
        for (var x = 0; x < 32; x++)
        {
            if (host.Xmm[x] != emulator.Xmm[x])
            {
                diffs.Add($"xmm{x / 2}.{(x % 2 == 0 ? "lo" : "hi")}: host {host.Xmm[x]:x} emu {emulator.Xmm[x]:x}");
            }
        }
        for (var r = 0; r < 16; r++)
        {
            if (host.Regs[r] != emulator.Regs[r])
            {
                diffs.Add($"r{r}: host {host.Regs[r]:x} emu {emulator.Regs[r]:x}");
            }
        }
        if ((host.Flags & flagMask) != (emulator.Flags & flagMask))
        {
            diffs.Add($"flags: host {host.Flags:x} emu {emulator.Flags:x} (compared {flagMask & ArithMask:x})");
        }
        for (var i = 0; i < 256; i++)
        {
            if (host.Data[i] != emulator.Data[i])
            {
                diffs.Add($"data+{i}{(i >= MmxArea ? $" (mm{(i - MmxArea) / 8})" : string.Empty)}: host {host.Data[i]:x2} emu {emulator.Data[i]:x2}");
                break;
            }
        }
        return diffs.Count == 0 ? null : string.Join(", ", diffs);
    }
}
