using System.Runtime.InteropServices;

namespace ActorVisor.Cpu;

/// <summary>
/// One decoded instruction, ready to run: the handler that implements it and its operands in a compact
/// form. Register fields hold a GPR index (0-15), 16-19 for AH/CH/DH/BH, or <see cref="NoRegister"/>.
/// A handler returns true to go on with the next instruction of the block, false when it changed RIP or
/// raised an exception (see <see cref="X86Cpu"/> for the protocol).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct DecodedOp
{
    public const byte NoRegister = 0xFF;

    public delegate*<X86Cpu, DecodedOp*, bool> Handler;
    public ulong Immediate;
    public ulong Displacement;
    public ulong NextRip;
    public ulong AddressMask;
    public int Code;
    public byte R0;
    public byte R1;
    public byte R2;
    public byte Base;
    public byte Index;
    public byte Scale;
    public byte Segment;
    public byte Length;
    public byte Size;
    public byte Condition;
    public byte Extra;
    public byte Rep;

    public readonly ulong Rip => NextRip - Length;
}
