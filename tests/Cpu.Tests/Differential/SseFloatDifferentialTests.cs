using System.Runtime.InteropServices;
using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using Xunit.Abstractions;

namespace ActorVisor.Cpu.Tests.Differential;

/// <summary>A fact that is skipped, with the reason, unless the host is Linux x86-64 with SSE4.1.</summary>
public sealed class HostSse41FactAttribute : FactAttribute
{
    public HostSse41FactAttribute()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Skip = "the SSE differential suite runs instructions on the host: it needs Linux on x86-64";
        }
        else if (!System.Runtime.Intrinsics.X86.Sse41.IsSupported)
        {
            Skip = "the host processor lacks SSE4.1, so the SSE3/SSE4.1 forms cannot be compared";
        }
    }
}

/// <summary>
/// Runs every floating-point SSE form of <see cref="SseFloatFormCatalog"/> on the host processor and on
/// the emulator with the same XMM registers, GPRs, flags, memory and MXCSR, and compares all sixteen XMM
/// registers, the GPRs, the arithmetic flags, the 256-byte memory area and the MXCSR afterwards (sticky
/// status flags included). Each case draws the rounding control (RN/RD/RU/RZ), DAZ and FTZ at random
/// (exceptions stay masked: an unmasked one would kill the test process; <c>SseFloatTests</c> covers
/// #XM), some sticky flags already set, and fills every register lane and the memory from a small pool
/// of values: quiet and signalling NaNs of both signs, zeros, infinities, denormals, the smallest and
/// largest normals, values at the limits of the integer conversions and the float range, and random
/// numbers of every magnitude, with near neighbours so additions cancel. RCPPS/RSQRTPS results are
/// approximations: they are checked against the exact value with the architectural bound
/// |relative error| &lt;= 1.5 * 2^-12, on the host as on the emulator, and special results bit for bit. For
/// DPPS/DPPD with two or more NaN products any NaN result is accepted (see <c>AcceptEitherNaN</c>).
/// Cases per form: 400 by default, ACTORVISOR_SSE_CASES to change (ACTORVISOR_SSE_SEED draws other values).
/// </summary>
public sealed class SseFloatDifferentialTests(ITestOutputHelper output)
{
    private const ulong ArithMask = 0x8D5;

    private static readonly uint[] SingleSpecials =
    [
        0, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FC12345, 0x7F800001, 0xFF812345,
        0x7FA00000, 0x00000001, 0x007FFFFF, 0x80400000, 0x00800000, 0x80800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x4F000000, 0xCF000000,
        0x4EFFFFFF, 0xCF000001, 0x5F000000, 0x5EFFFFFF, 0xDF000000, 0xDF000001, 0x3F000000, 0xBF000000, 0x3FC00000, 0x40200000,
        0xC0200000, 0x00FFFFFF, 0x1F800000, 0x5F800000, 0x7E800000,
    ];

    private static readonly ulong[] DoubleSpecials =
    [
        0, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
        0xFFF8000000000000, 0x7FF8000000001234, 0x7FF0000000000001, 0xFFF4000000000000, 0x0000000000000001, 0x000FFFFFFFFFFFFF,
        0x8008000000000000, 0x0010000000000000, 0x8010000000000000, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF, 0x41E0000000000000,
        0x41DFFFFFFFE00000, 0xC1E0000000000000, 0xC1E0000000100000, 0xC1E0000000200000, 0x41DFFFFFFFF00000, 0x43E0000000000000,
        0x43DFFFFFFFFFFFFF, 0xC3E0000000000000, 0xC3E0000000000001, 0x3FE0000000000000, 0x3FF8000000000000, 0x4004000000000000,
        0xC004000000000000, 0x47EFFFFFE0000000, 0x47EFFFFFF0000000, 0x47F0000000000000, 0x36A0000000000000, 0x3690000000000000,
        0x380FFFFFFFFFFFFF, 0x3810000000000000, 0x3800000000000000, 0xB6A8000000000000, 0x001FFFFFFFFFFFFF, 0x1FF0000000000000,
        0x5FF0000000000000, 0x7FE0000000000000,
    ];

    private static int CasesPerForm =>
        int.TryParse(Environment.GetEnvironmentVariable("ACTORVISOR_SSE_CASES"), out var n) && n > 0 ? n : 400;

    [HostSse41Fact]
    public void Every_SSE_floating_point_form_matches_the_host_processor()
    {
        using var machine = new Machine();
        using var native = new NativeExecutor();
        var forms = SseFloatFormCatalog.All(encodingsPerForm: 6, seed: 4321).ToList();
        var missing = SseFloatFormCatalog.Tested.Where(m => forms.All(f => f.Mnemonic != m)).ToList();
        var random = new Random(int.TryParse(Environment.GetEnvironmentVariable("ACTORVISOR_SSE_SEED"), out var seed) ? seed : 1999);
        var failures = new List<string>();
        long total = 0;
        var regs = new ulong[16];
        var xmm = new ulong[32];
        var data = new byte[256];
        var pool = new ulong[8];
        foreach (var form in forms)
        {
            var failed = 0;
            var single = IsSingle(form.Mnemonic);
            for (var e = 0; e < form.Encodings.Count; e++)
            {
                var mmx = SseFloatFormCatalog.WithMmx.Contains(form.Mnemonic);
                var bytes = mmx ? MmxFrame(form.Encodings[e]) : form.Encodings[e];
                var count = mmx ? 18 : 1;
                bytes.CopyTo(machine.Memory.Bytes(Machine.CodeAddress, bytes.Length));
                machine.Cpu.InvalidateCodeFrame(Machine.CodeAddress >> 12);
                var decoded = Decoder.Create(64, new ByteArrayCodeReader(form.Encodings[e])).Decode();
                var perEncoding = CasesPerForm / form.Encodings.Count + 1;
                for (var c = 0; c < perEncoding && failed < 3; c++)
                {
                    for (var p = 0; p < pool.Length; p++)
                    {
                        pool[p] = single ? NextSinglePair(random) : NextDouble(random);
                    }
                    for (var x = 0; x < 32; x++)
                    {
                        xmm[x] = FromPool(random, pool, single);
                    }
                    for (var i = 0; i < 32; i++)
                    {
                        BitConverter.TryWriteBytes(data.AsSpan(8 * i), FromPool(random, pool, single));
                    }
                    for (var r = 0; r < 16; r++)
                    {
                        regs[r] = random.Next(3) == 0 ? (ulong)(long)random.Next(-1000, 1000) : (ulong)random.NextInt64() >> random.Next(64) ^ (random.Next(2) == 0 ? 0 : ulong.MaxValue);
                    }
                    regs[4] = 0;
                    regs[15] = 0;
                    var mxcsr = 0x1F80u | ((uint)random.Next(4) << 13) | (random.Next(4) == 0 ? 0x40u : 0) | (random.Next(4) == 0 ? 0x8000u : 0) | (random.Next(3) == 0 ? (uint)random.Next(64) : 0);
                    var flags = ((ulong)random.NextInt64() & ArithMask) | 2;

                    xmm.CopyTo(native.Xmm);
                    for (var r = 0; r < 16; r++)
                    {
                        native.Slots[r] = regs[r];
                    }
                    native.Slots[15] = native.DataAddress;
                    native.Slots[16] = flags;
                    native.Mxcsr = mxcsr;
                    data.CopyTo(native.Data);
                    native.Execute(bytes);
                    var nativeRegs = native.Slots[..16].ToArray();
                    nativeRegs[15] = 0;
                    var nativeFlags = native.Slots[16];
                    var nativeXmm = native.Xmm.ToArray();
                    var nativeData = native.Data.ToArray();
                    var nativeMxcsr = native.MxcsrAfter;

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
                    cpu.Rflags = flags;
                    cpu.Mxcsr = mxcsr;
                    data.CopyTo(machine.Memory.Bytes(Machine.DataAddress, 256));
                    cpu.Rip = Machine.CodeAddress;
                    machine.Sink.Events.Clear();
                    var run = cpu.Run(count);
                    total++;
                    var diffs = new List<string>();
                    if (run.Reason != StopReason.BudgetExhausted || run.Retired != count)
                    {
                        diffs.Add($"stopped: {run.Reason} retired={run.Retired} {string.Join(";", machine.Sink.Events.Select(ev => $"v{ev.Vector}"))} {string.Join(";", machine.Log)}");
                        machine.Log.Clear();
                    }
                    var emulatedXmm = new ulong[32];
                    for (var x = 0; x < 16; x++)
                    {
                        (emulatedXmm[2 * x], emulatedXmm[(2 * x) + 1]) = cpu.GetXmm128(x);
                    }
                    if (form.Mnemonic is Mnemonic.Rcpps or Mnemonic.Rcpss or Mnemonic.Rsqrtps or Mnemonic.Rsqrtss)
                    {
                        CheckApproximation(form.Mnemonic, decoded, xmm, data, nativeXmm, emulatedXmm, diffs);
                    }
                    if (form.Mnemonic is Mnemonic.Dpps or Mnemonic.Dppd)
                    {
                        AcceptEitherNaN(decoded, xmm, data, nativeXmm, emulatedXmm);
                    }
                    for (var x = 0; x < 32; x++)
                    {
                        if (nativeXmm[x] != emulatedXmm[x])
                        {
                            diffs.Add($"xmm{x / 2}.{(x % 2 == 0 ? "lo" : "hi")}: host {nativeXmm[x]:x16} emu {emulatedXmm[x]:x16}");
                        }
                    }
                    for (var r = 0; r < 16; r++)
                    {
                        var value = r is 4 or 15 ? 0 : cpu.GetGpr(r);
                        if (r is not 4 and not 15 && nativeRegs[r] != value)
                        {
                            diffs.Add($"r{r}: host {nativeRegs[r]:x} emu {value:x}");
                        }
                    }
                    if ((nativeFlags & ArithMask) != (cpu.Rflags & ArithMask))
                    {
                        diffs.Add($"flags: host {nativeFlags & ArithMask:x} emu {cpu.Rflags & ArithMask:x}");
                    }
                    if (nativeMxcsr != cpu.Mxcsr)
                    {
                        diffs.Add($"mxcsr: host {nativeMxcsr:x4} emu {cpu.Mxcsr:x4} (in {mxcsr:x4})");
                    }
                    var emulatedData = machine.Memory.Bytes(Machine.DataAddress, 256).ToArray();
                    if (!emulatedData.SequenceEqual(nativeData))
                    {
                        var first = Enumerable.Range(0, 256).First(i => emulatedData[i] != nativeData[i]) & ~7;
                        diffs.Add($"memory +{first}: host {BitConverter.ToUInt64(nativeData, first):x16} emu {BitConverter.ToUInt64(emulatedData, first):x16}");
                    }
                    if (diffs.Count > 0)
                    {
                        failed++;
                        failures.Add($"{form.Name} `{form.Texts[e]}` mxcsr={mxcsr:x4} in: {DescribeOperands(decoded, xmm, data, regs)} -> {string.Join(", ", diffs)}");
                    }
                }
            }
        }
        output.WriteLine($"SSE float differential: {forms.Count} forms ({forms.Select(f => f.Mnemonic).Distinct().Count()} mnemonics), {total} cases, {failures.Count} failures");
        foreach (var f in failures.Take(200))
        {
            output.WriteLine(f);
        }
        Assert.Empty(missing);
        Assert.True(forms.Count > 150, $"only {forms.Count} forms");
        Assert.Empty(failures);
    }

    /// <summary>MOVQ MM0-7 from data +192, the form, MOVQ MM0-7 back to data +192, EMMS (MMX state in memory on both sides).</summary>
    private static byte[] MmxFrame(byte[] form)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < 8; i++)
        {
            bytes.AddRange([0x41, 0x0F, 0x6F, (byte)(0x87 | (i << 3)), (byte)(192 + (8 * i)), 0, 0, 0]);
        }
        bytes.AddRange(form);
        for (var i = 0; i < 8; i++)
        {
            bytes.AddRange([0x41, 0x0F, 0x7F, (byte)(0x87 | (i << 3)), (byte)(192 + (8 * i)), 0, 0, 0]);
        }
        bytes.AddRange([0x0F, 0x77]);
        return [.. bytes];
    }

    private static bool IsSingle(Mnemonic m)
    {
        var name = m.ToString();
        return name.EndsWith("ps", StringComparison.Ordinal) || name.EndsWith("ss", StringComparison.Ordinal) || name.StartsWith("Cvtss", StringComparison.Ordinal)
            || name.StartsWith("Cvttss", StringComparison.Ordinal) || name.StartsWith("Cvtps", StringComparison.Ordinal) || name.StartsWith("Cvttps", StringComparison.Ordinal)
            || m is Mnemonic.Movsldup or Mnemonic.Movshdup or Mnemonic.Insertps or Mnemonic.Extractps or Mnemonic.Cvtsi2ss;
    }

    private static ulong FromPool(Random random, ulong[] pool, bool single)
    {
        if (random.Next(8) == 0)
        {
            return (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
        }
        if (single)
        {
            var lo = Perturb32(random, (uint)pool[random.Next(pool.Length)]);
            var hi = Perturb32(random, (uint)(pool[random.Next(pool.Length)] >> 32));
            return lo | ((ulong)hi << 32);
        }
        var v = pool[random.Next(pool.Length)];
        return random.Next(4) == 0 ? v + (ulong)random.Next(-2, 3) : random.Next(8) == 0 ? v ^ (1UL << 63) : v;
    }

    private static uint Perturb32(Random random, uint v) => random.Next(4) == 0 ? v + (uint)random.Next(-2, 3) : random.Next(8) == 0 ? v ^ 0x80000000 : v;

    private static ulong NextSinglePair(Random random) => NextSingle(random) | ((ulong)NextSingle(random) << 32);

    private static uint NextSingle(Random random)
    {
        switch (random.Next(5))
        {
            case 0:
            case 1:
                return SingleSpecials[random.Next(SingleSpecials.Length)];
            case 2:
                return BitConverter.SingleToUInt32Bits((float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 40))));
            case 3:
                return BitConverter.SingleToUInt32Bits(random.Next(-70000, 70000) / (float)(1 << random.Next(0, 4)));
            default:
                var exponent = (uint)random.Next(0, 255);
                return ((uint)random.Next(2) << 31) | (exponent << 23) | ((uint)random.Next() & 0x7FFFFF);
        }
    }

    private static ulong NextDouble(Random random)
    {
        switch (random.Next(5))
        {
            case 0:
            case 1:
                return DoubleSpecials[random.Next(DoubleSpecials.Length)];
            case 2:
                return BitConverter.DoubleToUInt64Bits((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-70, 70)));
            case 3:
                return BitConverter.DoubleToUInt64Bits(random.Next(-70000, 70000) / (double)(1 << random.Next(0, 4)));
            default:
                var exponent = random.Next(6) == 0 ? (ulong)random.Next(0x360, 0x480) : (ulong)random.Next(0, 0x7FF);
                return ((ulong)random.Next(2) << 63) | (exponent << 52) | ((ulong)random.NextInt64() & 0xFFFFFFFFFFFFF);
        }
    }

    /// <summary>
    /// Checks the approximated lanes of RCP/RSQRT against the bound on both sides, then copies the host's
    /// lane over the emulator's so the exact comparison that follows covers the other lanes and registers.
    /// </summary>
    private static void CheckApproximation(Mnemonic mnemonic, in Instruction ins, ulong[] xmmIn, byte[] dataIn, ulong[] host, ulong[] emu, List<string> diffs)
    {
        var dest = ins.Op0Register - Iced.Intel.Register.XMM0;
        var lanes = mnemonic is Mnemonic.Rcpss or Mnemonic.Rsqrtss ? 1 : 4;
        var root = mnemonic is Mnemonic.Rsqrtps or Mnemonic.Rsqrtss;
        for (var lane = 0; lane < lanes; lane++)
        {
            uint source;
            if (ins.Op1Kind == OpKind.Memory)
            {
                source = BitConverter.ToUInt32(dataIn, (int)ins.MemoryDisplacement64 + (4 * lane));
            }
            else
            {
                var s = ins.Op1Register - Iced.Intel.Register.XMM0;
                source = (uint)(xmmIn[(2 * s) + (lane / 2)] >> (32 * (lane % 2)));
            }
            var index = (2 * dest) + (lane / 2);
            var shift = 32 * (lane % 2);
            var h = (uint)(host[index] >> shift);
            var m = (uint)(emu[index] >> shift);
            if (!WithinBound(source, h, root) || !WithinBound(source, m, root))
            {
                diffs.Add($"{mnemonic} lane {lane} of {source:x8}: host {h:x8} emu {m:x8} (bound 1.5*2^-12)");
            }
            emu[index] = (emu[index] & ~(0xFFFFFFFFUL << shift)) | ((ulong)h << shift);
        }
    }

    /// <summary>
    /// DPPS/DPPD with two or more NaN products: the host's choice among them does not follow a fixed order,
    /// so a NaN result lane of the emulator is accepted for a NaN result lane of the host (a tiny value
    /// times an infinity counts as a NaN product, as it is one under DAZ).
    /// </summary>
    private static void AcceptEitherNaN(in Instruction ins, ulong[] xmmIn, byte[] dataIn, ulong[] host, ulong[] emu)
    {
        var dbl = ins.Mnemonic == Mnemonic.Dppd;
        var dest = ins.Op0Register - Iced.Intel.Register.XMM0;
        var imm = (int)ins.Immediate8;
        ulong a0 = xmmIn[2 * dest], a1 = xmmIn[(2 * dest) + 1], b0, b1;
        if (ins.Op1Kind == OpKind.Memory)
        {
            b0 = BitConverter.ToUInt64(dataIn, (int)ins.MemoryDisplacement64);
            b1 = BitConverter.ToUInt64(dataIn, (int)ins.MemoryDisplacement64 + 8);
        }
        else
        {
            var s = ins.Op1Register - Iced.Intel.Register.XMM0;
            (b0, b1) = (xmmIn[2 * s], xmmIn[(2 * s) + 1]);
        }
        var lanes = dbl ? 2 : 4;
        var nanProducts = 0;
        for (var i = 0; i < lanes; i++)
        {
            if ((imm & (0x10 << i)) == 0)
            {
                continue;
            }
            double x, y;
            if (dbl)
            {
                x = BitConverter.UInt64BitsToDouble(i == 0 ? a0 : a1);
                y = BitConverter.UInt64BitsToDouble(i == 0 ? b0 : b1);
            }
            else
            {
                x = BitConverter.UInt32BitsToSingle((uint)((i < 2 ? a0 : a1) >> (32 * (i & 1))));
                y = BitConverter.UInt32BitsToSingle((uint)((i < 2 ? b0 : b1) >> (32 * (i & 1))));
            }
            var denormalTimesInfinity = (double.IsInfinity(x) && Math.Abs(y) < 1.2e-38) || (double.IsInfinity(y) && Math.Abs(x) < 1.2e-38);
            if (double.IsNaN(x * y) || denormalTimesInfinity)
            {
                nanProducts++;
            }
        }
        if (nanProducts < 2)
        {
            return;
        }
        for (var i = 0; i < lanes; i++)
        {
            var index = (2 * dest) + (dbl ? i : i / 2);
            var shift = dbl ? 0 : 32 * (i % 2);
            var mask = dbl ? ulong.MaxValue : 0xFFFFFFFFUL << shift;
            var h = (host[index] & mask) >> shift;
            var m = (emu[index] & mask) >> shift;
            var bothNaN = dbl ? double.IsNaN(BitConverter.UInt64BitsToDouble(h)) && double.IsNaN(BitConverter.UInt64BitsToDouble(m))
                : float.IsNaN(BitConverter.UInt32BitsToSingle((uint)h)) && float.IsNaN(BitConverter.UInt32BitsToSingle((uint)m));
            if (bothNaN)
            {
                emu[index] = (emu[index] & ~mask) | (host[index] & mask);
            }
        }
    }

    private static bool WithinBound(uint source, uint result, bool root)
    {
        var x = (double)BitConverter.UInt32BitsToSingle(source);
        var r = (double)BitConverter.UInt32BitsToSingle(result);
        if ((source & 0x7F800000) == 0x7F800000 || (source & 0x7F800000) == 0 || (root && (source >> 31) != 0))
        {
            var special = float.IsNaN((float)x) ? source | 0x400000u
                : root && (source >> 31) != 0 && (source & 0x7FFFFFFF) != 0 && (source & 0x7F800000) != 0 ? 0xFFC00000u
                : (source & 0x7F800000) == 0 ? (source & 0x80000000) | 0x7F800000u
                : source & 0x80000000;
            return result == special;
        }
        var exact = root ? 1 / Math.Sqrt(x) : 1 / x;
        if (Math.Abs(exact) < 1.1754943508222875e-38 * 1.0001)
        {
            return (result & 0x7FFFFFFF) == 0 || Math.Abs((r - exact) / exact) <= 1.5 / 4096;
        }
        return Math.Abs((r - exact) / exact) <= 1.5 / 4096;
    }

    private static string DescribeOperands(in Instruction ins, ulong[] xmm, byte[] data, ulong[] regs)
    {
        var parts = new List<string>();
        for (var i = 0; i < ins.OpCount; i++)
        {
            switch (ins.GetOpKind(i))
            {
                case OpKind.Register when ins.GetOpRegister(i).IsXMM():
                    var x = ins.GetOpRegister(i) - Iced.Intel.Register.XMM0;
                    parts.Add($"xmm{x}={xmm[(2 * x) + 1]:x16}:{xmm[2 * x]:x16}");
                    break;
                case OpKind.Register:
                    var g = ins.GetOpRegister(i).GetFullRegister() - Iced.Intel.Register.RAX;
                    parts.Add($"r{g}={regs[g]:x}");
                    break;
                case OpKind.Memory:
                    var at = (int)ins.MemoryDisplacement64;
                    parts.Add($"m={BitConverter.ToUInt64(data, at + 8):x16}:{BitConverter.ToUInt64(data, at):x16}");
                    break;
                default:
                    break;
            }
        }
        if (ins.Mnemonic is Mnemonic.Blendvps or Mnemonic.Blendvpd)
        {
            parts.Add($"xmm0={xmm[1]:x16}:{xmm[0]:x16}");
        }
        return string.Join(" ", parts);
    }
}
