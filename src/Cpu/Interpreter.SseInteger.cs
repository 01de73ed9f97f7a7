using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;

namespace ActorVisor.Cpu;

/// <summary>SSE packed-integer instructions beyond the SSE2 subset of <c>Interpreter.Sse.cs</c>.</summary>
public sealed unsafe partial class X86Cpu
{
    /// <summary>Returns the handler of a packed-integer SSE form, or null when it is not one of ours.</summary>
    private static Handler SelectSseInteger(in Instruction ins, DecodedOp* op) => null;
}
