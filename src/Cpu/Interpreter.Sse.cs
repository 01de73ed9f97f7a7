using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>The SSE/SSE2 subset compilers emit for memcpy/memset and zeroing: 128-bit moves, MOVD/MOVQ, PXOR/XORPS.</summary>
public sealed unsafe partial class X86Cpu
{
    private Handler SelectSse(in Instruction ins, DecodedOp* op) => null;
}
