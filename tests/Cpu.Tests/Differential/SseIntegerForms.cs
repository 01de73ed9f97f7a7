using Iced.Intel;
using IcedRegister = Iced.Intel.Register;

namespace ActorVisor.Cpu.Tests.Differential;

/// <summary>The instruction families of the packed-integer and integer-extension differential suites, one per host-feature requirement.</summary>
public enum SseIntegerFamily
{
    Sse2,
    Ssse3AndSse41,
    Sse42,
    Mmx,
    GprExtensions,
}

/// <summary>
/// One form of the packed-integer suites: its encodings (one instruction each), whether it touches MM
/// registers (the test then wraps it in MOVQ loads and stores of MM0-7 and EMMS), and whether its memory
/// operand must be 16-byte aligned by the manual's rule (legacy-SSE m128 operands except MOVDQU, LDDQU
/// and PCMPxSTRx), in which case <see cref="Misaligned"/> holds encodings with a misaligned address.
/// </summary>
public sealed record SseIntegerForm(Code Code, bool MemoryVariant, bool UsesMmx, bool RequiresAlignment, IReadOnlyList<byte[]> Encodings, IReadOnlyList<string> Texts, IReadOnlyList<byte[]> Misaligned)
{
    public string Name => $"{Code}{(MemoryVariant ? " (memory)" : string.Empty)}";

    public Mnemonic Mnemonic => Code.Mnemonic();
}

/// <summary>
/// Enumerates every 64-bit-mode encoding (Iced Code) of the packed-integer SSE/SSSE3/SSE4.1/SSE4.2/MMX
/// mnemonics and the GPR extensions (CRC32, MOVBE, LZCNT, BMI1/BMI2) with register and memory variants.
/// Memory operands are [R15 + disp8], R15 pointing at the 256-byte data area; bytes 192-255 of that area
/// hold MM0-7 in the MMX frame, so memory operands stay below 192. RSP and R15 are never register operands.
/// </summary>
public static class SseIntegerForms
{
    public static readonly IReadOnlyDictionary<SseIntegerFamily, Mnemonic[]> Families = new Dictionary<SseIntegerFamily, Mnemonic[]>
    {
        [SseIntegerFamily.Sse2] =
        [
            Mnemonic.Paddb, Mnemonic.Paddw, Mnemonic.Paddd, Mnemonic.Paddq, Mnemonic.Psubb, Mnemonic.Psubw, Mnemonic.Psubd, Mnemonic.Psubq,
            Mnemonic.Paddsb, Mnemonic.Paddsw, Mnemonic.Paddusb, Mnemonic.Paddusw, Mnemonic.Psubsb, Mnemonic.Psubsw, Mnemonic.Psubusb, Mnemonic.Psubusw,
            Mnemonic.Pmullw, Mnemonic.Pmulhw, Mnemonic.Pmulhuw, Mnemonic.Pmuludq, Mnemonic.Pmaddwd, Mnemonic.Psadbw, Mnemonic.Pavgb, Mnemonic.Pavgw,
            Mnemonic.Pminub, Mnemonic.Pmaxub, Mnemonic.Pminsw, Mnemonic.Pmaxsw, Mnemonic.Pcmpeqb, Mnemonic.Pcmpeqw, Mnemonic.Pcmpeqd,
            Mnemonic.Pcmpgtb, Mnemonic.Pcmpgtw, Mnemonic.Pcmpgtd, Mnemonic.Packsswb, Mnemonic.Packssdw, Mnemonic.Packuswb,
            Mnemonic.Punpcklbw, Mnemonic.Punpcklwd, Mnemonic.Punpckldq, Mnemonic.Punpcklqdq, Mnemonic.Punpckhbw, Mnemonic.Punpckhwd,
            Mnemonic.Punpckhdq, Mnemonic.Punpckhqdq, Mnemonic.Psllw, Mnemonic.Pslld, Mnemonic.Psllq, Mnemonic.Psrlw, Mnemonic.Psrld,
            Mnemonic.Psrlq, Mnemonic.Psraw, Mnemonic.Psrad, Mnemonic.Pslldq, Mnemonic.Psrldq, Mnemonic.Pshufd, Mnemonic.Pshuflw,
            Mnemonic.Pshufhw, Mnemonic.Pinsrw, Mnemonic.Pextrw, Mnemonic.Pmovmskb, Mnemonic.Pand, Mnemonic.Pandn, Mnemonic.Por, Mnemonic.Pxor,
            Mnemonic.Movdqa, Mnemonic.Movdqu, Mnemonic.Movq, Mnemonic.Movd, Mnemonic.Movnti, Mnemonic.Movntdq, Mnemonic.Maskmovdqu,
            Mnemonic.Lddqu,
        ],
        [SseIntegerFamily.Ssse3AndSse41] =
        [
            Mnemonic.Pshufb, Mnemonic.Phaddw, Mnemonic.Phaddd, Mnemonic.Phaddsw, Mnemonic.Phsubw, Mnemonic.Phsubd, Mnemonic.Phsubsw,
            Mnemonic.Pabsb, Mnemonic.Pabsw, Mnemonic.Pabsd, Mnemonic.Pmaddubsw, Mnemonic.Pmulhrsw, Mnemonic.Psignb, Mnemonic.Psignw,
            Mnemonic.Psignd, Mnemonic.Palignr,
            Mnemonic.Pminsb, Mnemonic.Pminsd, Mnemonic.Pminuw, Mnemonic.Pminud, Mnemonic.Pmaxsb, Mnemonic.Pmaxsd, Mnemonic.Pmaxuw,
            Mnemonic.Pmaxud, Mnemonic.Pmulld, Mnemonic.Pmuldq, Mnemonic.Pmovsxbw, Mnemonic.Pmovsxbd, Mnemonic.Pmovsxbq, Mnemonic.Pmovsxwd,
            Mnemonic.Pmovsxwq, Mnemonic.Pmovsxdq, Mnemonic.Pmovzxbw, Mnemonic.Pmovzxbd, Mnemonic.Pmovzxbq, Mnemonic.Pmovzxwd,
            Mnemonic.Pmovzxwq, Mnemonic.Pmovzxdq, Mnemonic.Pblendw, Mnemonic.Pblendvb, Mnemonic.Ptest, Mnemonic.Pinsrb, Mnemonic.Pinsrd,
            Mnemonic.Pinsrq, Mnemonic.Pextrb, Mnemonic.Pextrd, Mnemonic.Pextrq, Mnemonic.Pextrw, Mnemonic.Packusdw, Mnemonic.Pcmpeqq,
            Mnemonic.Phminposuw, Mnemonic.Movntdqa, Mnemonic.Mpsadbw,
        ],
        [SseIntegerFamily.Sse42] = [Mnemonic.Pcmpgtq, Mnemonic.Pcmpestri, Mnemonic.Pcmpestrm, Mnemonic.Pcmpestri64, Mnemonic.Pcmpestrm64, Mnemonic.Pcmpistri, Mnemonic.Pcmpistrm, Mnemonic.Crc32],
        [SseIntegerFamily.Mmx] = [],
        [SseIntegerFamily.GprExtensions] =
        [
            Mnemonic.Movbe, Mnemonic.Lzcnt, Mnemonic.Tzcnt, Mnemonic.Popcnt, Mnemonic.Andn, Mnemonic.Bextr, Mnemonic.Blsi, Mnemonic.Blsmsk,
            Mnemonic.Blsr, Mnemonic.Bzhi, Mnemonic.Mulx, Mnemonic.Pdep, Mnemonic.Pext, Mnemonic.Rorx, Mnemonic.Sarx, Mnemonic.Shlx, Mnemonic.Shrx,
            Mnemonic.Lahf, Mnemonic.Sahf,
        ],
    };

    /// <summary>The MMX-register forms: every mnemonic of the SSE2 and SSSE3 lists that has an MM form, plus EMMS-free MMX moves and MOVQ2DQ/MOVDQ2Q.</summary>
    private static readonly HashSet<Mnemonic> MmxExtra = [Mnemonic.Pshufw, Mnemonic.Movq2dq, Mnemonic.Movdq2q, Mnemonic.Movntq, Mnemonic.Maskmovq];

    private static readonly IcedRegister[] Gpr64 =
        [IcedRegister.RAX, IcedRegister.RCX, IcedRegister.RDX, IcedRegister.RBX, IcedRegister.RBP, IcedRegister.RSI, IcedRegister.RDI, IcedRegister.R8, IcedRegister.R9, IcedRegister.R10, IcedRegister.R11, IcedRegister.R12, IcedRegister.R13, IcedRegister.R14];

    public static IEnumerable<SseIntegerForm> For(SseIntegerFamily family, int encodingsPerForm, int seed)
    {
        var random = new Random(seed);
        var mnemonics = family == SseIntegerFamily.Mmx
            ? [.. Families[SseIntegerFamily.Sse2], .. Families[SseIntegerFamily.Ssse3AndSse41], .. MmxExtra]
            : new HashSet<Mnemonic>(Families[family]);
        foreach (var code in Enum.GetValues<Code>())
        {
            if (!mnemonics.Contains(code.Mnemonic()))
            {
                continue;
            }
            var info = code.ToOpCode();
            var kinds = Enumerable.Range(0, info.OpCount).Select(info.GetOpKind).ToArray();
            var mmx = kinds.Any(k => k is OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem);
            var expectedEncoding = family == SseIntegerFamily.GprExtensions && info.Encoding == EncodingKind.VEX ? EncodingKind.VEX : EncodingKind.Legacy;
            if (!info.Mode64 || info.Encoding != expectedEncoding || mmx != (family == SseIntegerFamily.Mmx))
            {
                continue;
            }
            var hasRm = kinds.Any(k => k.ToString().EndsWith("_or_mem", StringComparison.Ordinal));
            var memoryOnly = kinds.Any(k => k == OpCodeOperandKind.mem);
            // Forms with an imm8 get more encodings, so that more immediates are drawn (PCMPxSTRx: most of its 128 modes).
            var perForm = !kinds.Contains(OpCodeOperandKind.imm8) ? encodingsPerForm
                : code.Mnemonic() is Mnemonic.Pcmpestri or Mnemonic.Pcmpestrm or Mnemonic.Pcmpistri or Mnemonic.Pcmpistrm ? 16 * encodingsPerForm : 4 * encodingsPerForm;
            foreach (var memory in hasRm ? new[] { false, true } : [memoryOnly])
            {
                var memorySize = 0;
                var encodings = new List<byte[]>();
                var texts = new List<string>();
                var misaligned = new List<byte[]>();
                for (var attempt = 0; attempt < perForm * 4 && encodings.Count < perForm; attempt++)
                {
                    if (TryBuild(code, info, memory, alignment: 16, random, out var bytes, out var text, out memorySize))
                    {
                        encodings.Add(bytes);
                        texts.Add(text);
                    }
                }
                var requiresAlignment = memory && !mmx && memorySize == 16 && info.Encoding == EncodingKind.Legacy
                    && code.Mnemonic() is not (Mnemonic.Movdqu or Mnemonic.Lddqu or Mnemonic.Pcmpestri or Mnemonic.Pcmpestrm or Mnemonic.Pcmpestri64 or Mnemonic.Pcmpestrm64 or Mnemonic.Pcmpistri or Mnemonic.Pcmpistrm);
                if (memory && !requiresAlignment)
                {
                    var aligned = encodings.Count;
                    for (var attempt = 0; attempt < perForm * 4 && encodings.Count < aligned + perForm; attempt++)
                    {
                        if (TryBuild(code, info, memory, alignment: 1, random, out var bytes, out var text, out _))
                        {
                            encodings.Add(bytes);
                            texts.Add(text);
                        }
                    }
                }
                if (requiresAlignment)
                {
                    for (var attempt = 0; attempt < 16 && misaligned.Count < 2; attempt++)
                    {
                        if (TryBuild(code, info, memory, alignment: -1, random, out var bytes, out _, out _))
                        {
                            misaligned.Add(bytes);
                        }
                    }
                }
                if (encodings.Count > 0)
                {
                    yield return new SseIntegerForm(code, memory, mmx, requiresAlignment, encodings, texts, misaligned);
                }
            }
        }
    }

    private static IcedRegister Gpr(Random random, int size)
    {
        var full = Gpr64[random.Next(Gpr64.Length)];
        var index = full - IcedRegister.RAX;
        return size switch
        {
            8 => full,
            4 => IcedRegister.EAX + index,
            2 => IcedRegister.AX + index,
            _ => index < 4 ? IcedRegister.AL + index : index < 8 ? IcedRegister.SPL + (index - 4) : IcedRegister.R8L + (index - 8),
        };
    }

    private static int GprSize(OpCodeOperandKind kind)
    {
        var name = kind.ToString();
        return name.StartsWith("r8", StringComparison.Ordinal) ? 1 : name.StartsWith("r16", StringComparison.Ordinal) ? 2 : name.StartsWith("r32", StringComparison.Ordinal) ? 4 : 8;
    }

    /// <summary>Builds one encoding; <paramref name="alignment"/> 16 gives a 16-byte aligned memory operand, 1 any offset, -1 a misaligned one.</summary>
    private static bool TryBuild(Code code, OpCodeInfo info, bool memory, int alignment, Random random, out byte[] bytes, out string text, out int memorySize)
    {
        bytes = [];
        text = string.Empty;
        memorySize = 0;
        var instruction = new Instruction { Code = code };
        for (var i = 0; i < info.OpCount; i++)
        {
            var kind = info.GetOpKind(i);
            var name = kind.ToString();
            if (kind == OpCodeOperandKind.mem || (memory && name.EndsWith("_or_mem", StringComparison.Ordinal)))
            {
                instruction.SetOpKind(i, OpKind.Memory);
                instruction.MemoryBase = IcedRegister.R15;
                instruction.MemoryDisplacement64 = alignment switch
                {
                    16 => (ulong)(16 * random.Next(0, 11)),
                    1 => (ulong)random.Next(0, 168),
                    _ => (ulong)((16 * random.Next(0, 10)) + random.Next(1, 16)),
                };
                instruction.MemoryDisplSize = 1;
                instruction.MemoryIndexScale = 1;
                continue;
            }
            switch (kind)
            {
                case OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_or_mem:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, IcedRegister.XMM0 + random.Next(16));
                    break;
                case OpCodeOperandKind.mm_reg or OpCodeOperandKind.mm_rm or OpCodeOperandKind.mm_or_mem:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, IcedRegister.MM0 + random.Next(8));
                    break;
                case OpCodeOperandKind.imm8:
                    instruction.SetOpKind(i, OpKind.Immediate8);
                    instruction.SetImmediate(i, (ulong)random.Next(0, 256));
                    break;
                case OpCodeOperandKind.seg_rDI:
                    instruction.SetOpKind(i, OpKind.MemorySegRDI);
                    break;
                default:
                    if (name.StartsWith('r') && (name.EndsWith("_reg", StringComparison.Ordinal) || name.EndsWith("_rm", StringComparison.Ordinal) || name.EndsWith("_or_mem", StringComparison.Ordinal) || name.EndsWith("_vvvv", StringComparison.Ordinal)))
                    {
                        instruction.SetOpKind(i, OpKind.Register);
                        instruction.SetOpRegister(i, Gpr(random, GprSize(kind)));
                        break;
                    }
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
        memorySize = decoded.MemorySize.GetSize();
        var output = new StringOutput();
        new GasFormatter().Format(decoded, output);
        text = output.ToStringAndReset();
        return true;
    }

    private sealed class ByteWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
