using Iced.Intel;
using IcedRegister = Iced.Intel.Register;

namespace ActorVisor.Cpu.Tests.Differential;

/// <summary>
/// Every legacy-encoded 64-bit form (Iced Code) of the SSE/SSE2/SSE3/SSE4.1 floating-point mnemonics the
/// CPU implements, as register and memory variants, each with a few encodings that differ in registers
/// and immediates. Memory operands are [R15 + 16k], R15 pointing at the scratch area, so 16-byte
/// alignment holds. Of the forms with MMX operands only the float conversions are listed.
/// </summary>
public static class SseFloatFormCatalog
{
    public static readonly HashSet<Mnemonic> Tested =
    [
        Mnemonic.Addps, Mnemonic.Addpd, Mnemonic.Addss, Mnemonic.Addsd, Mnemonic.Subps, Mnemonic.Subpd, Mnemonic.Subss, Mnemonic.Subsd,
        Mnemonic.Mulps, Mnemonic.Mulpd, Mnemonic.Mulss, Mnemonic.Mulsd, Mnemonic.Divps, Mnemonic.Divpd, Mnemonic.Divss, Mnemonic.Divsd,
        Mnemonic.Minps, Mnemonic.Minpd, Mnemonic.Minss, Mnemonic.Minsd, Mnemonic.Maxps, Mnemonic.Maxpd, Mnemonic.Maxss, Mnemonic.Maxsd,
        Mnemonic.Sqrtps, Mnemonic.Sqrtpd, Mnemonic.Sqrtss, Mnemonic.Sqrtsd, Mnemonic.Rcpps, Mnemonic.Rcpss, Mnemonic.Rsqrtps, Mnemonic.Rsqrtss,
        Mnemonic.Andps, Mnemonic.Andpd, Mnemonic.Andnps, Mnemonic.Andnpd, Mnemonic.Orps, Mnemonic.Orpd, Mnemonic.Xorps, Mnemonic.Xorpd,
        Mnemonic.Cmpps, Mnemonic.Cmppd, Mnemonic.Cmpss, Mnemonic.Cmpsd, Mnemonic.Comiss, Mnemonic.Ucomiss, Mnemonic.Comisd, Mnemonic.Ucomisd,
        Mnemonic.Shufps, Mnemonic.Shufpd, Mnemonic.Unpcklps, Mnemonic.Unpckhps, Mnemonic.Unpcklpd, Mnemonic.Unpckhpd,
        Mnemonic.Movhlps, Mnemonic.Movlhps, Mnemonic.Movlps, Mnemonic.Movhps, Mnemonic.Movlpd, Mnemonic.Movhpd, Mnemonic.Movss, Mnemonic.Movsd,
        Mnemonic.Movaps, Mnemonic.Movups, Mnemonic.Movapd, Mnemonic.Movupd, Mnemonic.Movmskps, Mnemonic.Movmskpd, Mnemonic.Movntps, Mnemonic.Movntpd,
        Mnemonic.Cvtdq2ps, Mnemonic.Cvtps2dq, Mnemonic.Cvttps2dq, Mnemonic.Cvtdq2pd, Mnemonic.Cvtpd2dq, Mnemonic.Cvttpd2dq, Mnemonic.Cvtps2pd,
        Mnemonic.Cvtpd2ps, Mnemonic.Cvtsi2ss, Mnemonic.Cvtsi2sd, Mnemonic.Cvtss2si, Mnemonic.Cvttss2si, Mnemonic.Cvtsd2si, Mnemonic.Cvttsd2si,
        Mnemonic.Cvtss2sd, Mnemonic.Cvtsd2ss,
        Mnemonic.Addsubps, Mnemonic.Addsubpd, Mnemonic.Haddps, Mnemonic.Haddpd, Mnemonic.Hsubps, Mnemonic.Hsubpd, Mnemonic.Movsldup,
        Mnemonic.Movshdup, Mnemonic.Movddup, Mnemonic.Lddqu,
        Mnemonic.Blendps, Mnemonic.Blendpd, Mnemonic.Blendvps, Mnemonic.Blendvpd, Mnemonic.Roundps, Mnemonic.Roundpd, Mnemonic.Roundss,
        Mnemonic.Roundsd, Mnemonic.Dpps, Mnemonic.Dppd, Mnemonic.Insertps, Mnemonic.Extractps,
        Mnemonic.Cvtpi2ps, Mnemonic.Cvtps2pi, Mnemonic.Cvttps2pi, Mnemonic.Cvtpi2pd, Mnemonic.Cvtpd2pi, Mnemonic.Cvttpd2pi,
    ];

    /// <summary>The conversions with MMX operands (the test frames them with MOVQ loads and stores of MM0-7).</summary>
    public static readonly HashSet<Mnemonic> WithMmx =
        [Mnemonic.Cvtpi2ps, Mnemonic.Cvtps2pi, Mnemonic.Cvttps2pi, Mnemonic.Cvtpi2pd, Mnemonic.Cvtpd2pi, Mnemonic.Cvttpd2pi];

    private static readonly IcedRegister[] Gpr64 =
        [IcedRegister.RAX, IcedRegister.RCX, IcedRegister.RDX, IcedRegister.RBX, IcedRegister.RBP, IcedRegister.RSI, IcedRegister.RDI, IcedRegister.R8, IcedRegister.R9, IcedRegister.R10, IcedRegister.R11, IcedRegister.R12, IcedRegister.R13, IcedRegister.R14];

    public static IEnumerable<InstructionForm> All(int encodingsPerForm, int seed)
    {
        var random = new Random(seed);
        foreach (var code in Enum.GetValues<Code>())
        {
            if (!Tested.Contains(code.Mnemonic()))
            {
                continue;
            }
            var info = code.ToOpCode();
            if (!info.Mode64 || info.Encoding != EncodingKind.Legacy
                || (!WithMmx.Contains(code.Mnemonic()) && Enumerable.Range(0, info.OpCount).Any(i => info.GetOpKind(i) is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_or_mem)))
            {
                continue;
            }
            var hasRm = Enumerable.Range(0, info.OpCount).Any(i => IsRm(info.GetOpKind(i)));
            var memOnly = Enumerable.Range(0, info.OpCount).Any(i => info.GetOpKind(i) == OpCodeOperandKind.mem);
            foreach (var memory in hasRm ? new[] { false, true } : [memOnly])
            {
                var encodings = new List<byte[]>();
                var texts = new List<string>();
                for (var attempt = 0; attempt < encodingsPerForm * 4 && encodings.Count < encodingsPerForm; attempt++)
                {
                    if (TryBuild(code, info, memory, random, out var bytes, out var text))
                    {
                        encodings.Add(bytes);
                        texts.Add(text);
                    }
                }
                if (encodings.Count > 0)
                {
                    yield return new InstructionForm(code, memory, encodings, texts);
                }
            }
        }
    }

    private static bool IsRm(OpCodeOperandKind kind) => kind is OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.mm_or_mem;

    private static bool TryBuild(Code code, OpCodeInfo info, bool memory, Random random, out byte[] bytes, out string text)
    {
        bytes = [];
        text = string.Empty;
        var instruction = new Instruction { Code = code };
        for (var i = 0; i < info.OpCount; i++)
        {
            var kind = info.GetOpKind(i);
            switch (kind)
            {
                case OpCodeOperandKind.xmm_reg:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, IcedRegister.XMM0 + random.Next(16));
                    break;
                case OpCodeOperandKind.mm_reg:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, IcedRegister.MM0 + random.Next(8));
                    break;
                case OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.mm_or_mem or OpCodeOperandKind.mem:
                    if (memory)
                    {
                        instruction.SetOpKind(i, OpKind.Memory);
                        instruction.MemoryBase = IcedRegister.R15;
                        instruction.MemoryDisplacement64 = (ulong)(16 * random.Next(0, 6));
                        instruction.MemoryDisplSize = 1;
                        instruction.MemoryIndexScale = 1;
                    }
                    else
                    {
                        instruction.SetOpKind(i, OpKind.Register);
                        instruction.SetOpRegister(i, kind switch
                        {
                            OpCodeOperandKind.xmm_or_mem => IcedRegister.XMM0 + random.Next(16),
                            OpCodeOperandKind.mm_or_mem => IcedRegister.MM0 + random.Next(8),
                            _ => Gpr(random, kind == OpCodeOperandKind.r64_or_mem),
                        });
                    }
                    break;
                case OpCodeOperandKind.xmm_rm:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, IcedRegister.XMM0 + random.Next(16));
                    break;
                case OpCodeOperandKind.r32_reg or OpCodeOperandKind.r64_reg or OpCodeOperandKind.r32_rm or OpCodeOperandKind.r64_rm:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, Gpr(random, kind is OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_rm));
                    break;
                case OpCodeOperandKind.imm8:
                    instruction.SetOpKind(i, OpKind.Immediate8);
                    instruction.SetImmediate(i, (ulong)random.Next(0, 256));
                    break;
                default:
                    return false;
            }
        }
        var writer = new ByteWriter();
        if (!Encoder.Create(64, writer).TryEncode(instruction, 0, out _, out _))
        {
            return false;
        }
        bytes = [.. writer.Bytes];
        var decoded = Decoder.Create(64, new ByteArrayCodeReader(bytes)).Decode();
        if (decoded.Code != code)
        {
            return false;
        }
        var output = new StringOutput();
        new GasFormatter().Format(decoded, output);
        text = output.ToStringAndReset();
        return true;
    }

    private static IcedRegister Gpr(Random random, bool wide)
    {
        var full = Gpr64[random.Next(Gpr64.Length)];
        return wide ? full : IcedRegister.EAX + (full - IcedRegister.RAX);
    }

    private sealed class ByteWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
