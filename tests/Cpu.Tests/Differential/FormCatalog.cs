using Iced.Intel;
using IcedRegister = Iced.Intel.Register;

namespace ActorVisor.Cpu.Tests.Differential;

/// <summary>One encodable instruction form under test, with a few encodings that differ in registers and immediates.</summary>
public sealed record InstructionForm(Code Code, bool MemoryVariant, IReadOnlyList<byte[]> Encodings, IReadOnlyList<string> Texts, bool Locked = false)
{
    public string Name => $"{Code}{(MemoryVariant ? " (memory)" : string.Empty)}{(Locked ? " (lock)" : string.Empty)}";

    public Mnemonic Mnemonic => Code.Mnemonic();
}

/// <summary>
/// Enumerates every 64-bit-mode encoding (Iced Code) of the user-mode integer mnemonics the CPU implements,
/// with register and memory variants of r/m operands. Memory operands are [R15 + disp8], R15 pointing at a
/// scratch area; RSP is never an operand. Mnemonics are listed here, so a new handler joins the suite by
/// adding its mnemonic.
/// </summary>
public static class FormCatalog
{
    private static readonly HashSet<Mnemonic> Tested =
    [
        Mnemonic.Add, Mnemonic.Or, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Sub, Mnemonic.Xor, Mnemonic.Cmp, Mnemonic.Test,
        Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Not, Mnemonic.Neg, Mnemonic.Mov, Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Movsxd, Mnemonic.Lea,
        Mnemonic.Xchg, Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Shl, Mnemonic.Sal, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror,
        Mnemonic.Rcl, Mnemonic.Rcr, Mnemonic.Shld, Mnemonic.Shrd, Mnemonic.Mul, Mnemonic.Imul, Mnemonic.Div, Mnemonic.Idiv, Mnemonic.Bt,
        Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc, Mnemonic.Bsf, Mnemonic.Bsr, Mnemonic.Tzcnt, Mnemonic.Popcnt, Mnemonic.Bswap,
        Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cdqe, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Cqo, Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc,
        Mnemonic.Lahf, Mnemonic.Sahf, Mnemonic.Cmpxchg8b, Mnemonic.Cmpxchg16b, Mnemonic.Nop,
        Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta,
        Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp, Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg,
        Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova,
        Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
        Mnemonic.Movdqa, Mnemonic.Movdqu, Mnemonic.Movaps, Mnemonic.Movups, Mnemonic.Movapd, Mnemonic.Movupd, Mnemonic.Movntdq, Mnemonic.Movd,
        Mnemonic.Movq, Mnemonic.Pxor, Mnemonic.Xorps, Mnemonic.Xorpd, Mnemonic.Por, Mnemonic.Orps, Mnemonic.Orpd, Mnemonic.Pand, Mnemonic.Andps,
        Mnemonic.Andpd, Mnemonic.Pandn, Mnemonic.Andnps, Mnemonic.Andnpd, Mnemonic.Pcmpeqb, Mnemonic.Pcmpeqw, Mnemonic.Pcmpeqd, Mnemonic.Paddb,
        Mnemonic.Paddw, Mnemonic.Paddd, Mnemonic.Paddq, Mnemonic.Psubb, Mnemonic.Psubw, Mnemonic.Psubd, Mnemonic.Psubq, Mnemonic.Pminub,
        Mnemonic.Pmaxub, Mnemonic.Punpcklqdq, Mnemonic.Punpckhqdq, Mnemonic.Pshufd, Mnemonic.Pmovmskb, Mnemonic.Movss, Mnemonic.Movsd,
        Mnemonic.Addss, Mnemonic.Addsd, Mnemonic.Subss, Mnemonic.Subsd, Mnemonic.Mulss, Mnemonic.Mulsd, Mnemonic.Divss, Mnemonic.Divsd,
        Mnemonic.Minss, Mnemonic.Minsd, Mnemonic.Maxss, Mnemonic.Maxsd, Mnemonic.Sqrtss, Mnemonic.Sqrtsd, Mnemonic.Cvtsd2ss, Mnemonic.Cvtss2sd,
        Mnemonic.Cvtsi2sd, Mnemonic.Cvtsi2ss, Mnemonic.Cvttsd2si, Mnemonic.Cvtsd2si, Mnemonic.Cvttss2si, Mnemonic.Cvtss2si, Mnemonic.Ucomisd,
        Mnemonic.Comisd, Mnemonic.Ucomiss, Mnemonic.Comiss,
    ];

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
            if (!info.Mode64 || info.Encoding != EncodingKind.Legacy || code.ToString().Contains("moffs", StringComparison.Ordinal))
            {
                continue;
            }
            var hasRm = Enumerable.Range(0, info.OpCount).Any(i => IsRm(info.GetOpKind(i)));
            var hasMemOnly = Enumerable.Range(0, info.OpCount).Any(i => info.GetOpKind(i) == OpCodeOperandKind.mem);
            var lockable = Lockable.Contains(code.Mnemonic()) && info.CanUseLockPrefix;
            foreach (var (memory, locked) in hasRm ? (lockable ? new[] { (false, false), (true, false), (true, true) } : [(false, false), (true, false)]) : [(hasMemOnly, false)])
            {
                if (code.Mnemonic() == Mnemonic.Lea && !memory)
                {
                    continue;
                }
                var encodings = new List<byte[]>();
                var texts = new List<string>();
                for (var attempt = 0; attempt < encodingsPerForm * 4 && encodings.Count < encodingsPerForm; attempt++)
                {
                    if (TryBuild(code, info, memory, locked, random, out var bytes, out var text))
                    {
                        encodings.Add(bytes);
                        texts.Add(text);
                    }
                }
                if (encodings.Count > 0)
                {
                    yield return new InstructionForm(code, memory, encodings, texts, locked);
                }
            }
        }
    }

    private static bool IsRm(OpCodeOperandKind kind) => kind is OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.xmm_or_mem;

    private static IcedRegister Pick(Random random, int size, bool noRex)
    {
        if (size == 1 && noRex)
        {
            return IcedRegister.AL + random.Next(8);
        }
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

    private static readonly HashSet<Mnemonic> Lockable =
    [
        Mnemonic.Add, Mnemonic.Or, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.And, Mnemonic.Sub, Mnemonic.Xor, Mnemonic.Inc, Mnemonic.Dec,
        Mnemonic.Not, Mnemonic.Neg, Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Xchg,
    ];

    private static bool TryBuild(Code code, OpCodeInfo info, bool memory, bool locked, Random random, out byte[] bytes, out string text)
    {
        bytes = [];
        text = string.Empty;
        var noRex = random.Next(2) == 0;
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
                case OpCodeOperandKind.r8_or_mem:
                case OpCodeOperandKind.r16_or_mem:
                case OpCodeOperandKind.r32_or_mem:
                case OpCodeOperandKind.r64_or_mem:
                case OpCodeOperandKind.xmm_or_mem:
                case OpCodeOperandKind.mem:
                    if (memory)
                    {
                        instruction.SetOpKind(i, OpKind.Memory);
                        instruction.MemoryBase = IcedRegister.R15;
                        instruction.MemoryDisplacement64 = (ulong)(16 * random.Next(0, 6));
                        instruction.MemoryDisplSize = 1;
                        instruction.MemoryIndexScale = 1;
                    }
                    else if (kind == OpCodeOperandKind.xmm_or_mem)
                    {
                        instruction.SetOpKind(i, OpKind.Register);
                        instruction.SetOpRegister(i, IcedRegister.XMM0 + random.Next(16));
                    }
                    else
                    {
                        instruction.SetOpKind(i, OpKind.Register);
                        instruction.SetOpRegister(i, Pick(random, SizeOf(kind), noRex));
                    }
                    break;
                case OpCodeOperandKind.r8_reg:
                case OpCodeOperandKind.r8_opcode:
                case OpCodeOperandKind.r16_reg:
                case OpCodeOperandKind.r16_opcode:
                case OpCodeOperandKind.r32_reg:
                case OpCodeOperandKind.r32_opcode:
                case OpCodeOperandKind.r64_reg:
                case OpCodeOperandKind.r64_opcode:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, Pick(random, SizeOf(kind), noRex));
                    break;
                case OpCodeOperandKind.al:
                case OpCodeOperandKind.ax:
                case OpCodeOperandKind.eax:
                case OpCodeOperandKind.rax:
                case OpCodeOperandKind.cl:
                    instruction.SetOpKind(i, OpKind.Register);
                    instruction.SetOpRegister(i, kind switch
                    {
                        OpCodeOperandKind.al => IcedRegister.AL,
                        OpCodeOperandKind.ax => IcedRegister.AX,
                        OpCodeOperandKind.eax => IcedRegister.EAX,
                        OpCodeOperandKind.rax => IcedRegister.RAX,
                        _ => IcedRegister.CL,
                    });
                    break;
                case OpCodeOperandKind.imm8:
                    instruction.SetOpKind(i, OpKind.Immediate8);
                    instruction.SetImmediate(i, code is Code.Shld_rm16_r16_imm8 or Code.Shrd_rm16_r16_imm8 ? (ulong)(random.Next(0, 8) * 32) + (ulong)random.Next(0, 16) : (ulong)random.Next(0, 256));
                    break;
                case OpCodeOperandKind.imm8sex16:
                case OpCodeOperandKind.imm8sex32:
                case OpCodeOperandKind.imm8sex64:
                    instruction.SetOpKind(i, kind == OpCodeOperandKind.imm8sex16 ? OpKind.Immediate8to16 : kind == OpCodeOperandKind.imm8sex32 ? OpKind.Immediate8to32 : OpKind.Immediate8to64);
                    instruction.SetImmediate(i, (ulong)(long)(sbyte)random.Next(0, 256));
                    break;
                case OpCodeOperandKind.imm16:
                    instruction.SetOpKind(i, OpKind.Immediate16);
                    instruction.SetImmediate(i, (ulong)random.Next(0, 65536));
                    break;
                case OpCodeOperandKind.imm32:
                    instruction.SetOpKind(i, OpKind.Immediate32);
                    instruction.SetImmediate(i, (uint)random.NextInt64(0, 1L << 32));
                    break;
                case OpCodeOperandKind.imm32sex64:
                    instruction.SetOpKind(i, OpKind.Immediate32to64);
                    instruction.SetImmediate(i, (ulong)(long)(int)random.NextInt64(0, 1L << 32));
                    break;
                case OpCodeOperandKind.imm64:
                    instruction.SetOpKind(i, OpKind.Immediate64);
                    instruction.SetImmediate(i, (ulong)random.NextInt64());
                    break;
                case OpCodeOperandKind.imm8_const_1:
                    instruction.SetOpKind(i, OpKind.Immediate8);
                    instruction.SetImmediate(i, 1);
                    break;
                default:
                    return false;
            }
        }
        instruction.HasLockPrefix = locked;
        var writer = new ByteWriter();
        var encoder = Encoder.Create(64, writer);
        if (!encoder.TryEncode(instruction, 0, out _, out _))
        {
            return false;
        }
        bytes = writer.Bytes.ToArray();
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

    private static int SizeOf(OpCodeOperandKind kind) => kind switch
    {
        OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode => 1,
        OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode => 2,
        OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode => 4,
        _ => 8,
    };

    private sealed class ByteWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
