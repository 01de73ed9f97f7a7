using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;
using IcedRegister = Iced.Intel.Register;

namespace ActorVisor.Cpu;

/// <summary>
/// Turns one Iced instruction into a <see cref="DecodedOp"/>: operands into compact fields, and the
/// mnemonic, operand shape and size into a specialised handler. Anything without a handler becomes
/// <see cref="Unimplemented"/>, which raises #UD and logs the instruction text.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private enum Shape
    {
        None,
        RR,
        RM,
        MR,
        RI,
        MI,
    }

    private readonly List<string> _unimplementedText = [];

    private string DescribeUnimplemented(DecodedOp* op)
    {
        var index = (int)op->Immediate;
        return index >= 0 && index < _unimplementedText.Count ? _unimplementedText[index] : "?";
    }

    private static byte RegIndex(IcedRegister r)
    {
        if (r >= IcedRegister.AH && r <= IcedRegister.BH)
        {
            return (byte)(16 + (r - IcedRegister.AH));
        }
        if (r.IsGPR())
        {
            return (byte)(r.GetFullRegister() - IcedRegister.RAX);
        }
        if (r.IsXMM())
        {
            return (byte)(r - IcedRegister.XMM0);
        }
        if (r.IsSegmentRegister())
        {
            return (byte)(r - IcedRegister.ES);
        }
        if (r >= IcedRegister.CR0 && r <= IcedRegister.CR15)
        {
            return (byte)(r - IcedRegister.CR0);
        }
        if (r >= IcedRegister.DR0 && r <= IcedRegister.DR15)
        {
            return (byte)(r - IcedRegister.DR0);
        }
        return ZeroRegister;
    }

    private static int AddressSize(in Instruction ins, int bitness)
    {
        if (ins.MemoryBase != IcedRegister.None && ins.MemoryBase != IcedRegister.RIP && ins.MemoryBase != IcedRegister.EIP)
        {
            return ins.MemoryBase.GetSize();
        }
        if (ins.MemoryIndex != IcedRegister.None)
        {
            return ins.MemoryIndex.GetSize();
        }
        if (ins.MemoryBase == IcedRegister.EIP)
        {
            return 4;
        }
        return bitness / 8;
    }

    /// <summary>Fills <paramref name="op"/> from <paramref name="ins"/>; returns true when the instruction must end its block.</summary>
    private bool Translate(in Instruction ins, DecodedOp* op)
    {
        *op = default;
        op->Code = (int)ins.Code;
        op->Length = (byte)ins.Length;
        op->NextRip = ins.NextIP;
        op->R0 = op->R1 = op->R2 = ZeroRegister;
        op->Base = op->Index = ZeroRegister;
        op->AddressMask = ulong.MaxValue;
        var bitness = _mode == CpuMode.Long64 ? 64 : _mode is CpuMode.Protected32 or CpuMode.Compatibility ? 32 : 16;
        var memoryAt = -1;
        var immediateAt = -1;
        var size = 0;
        for (var i = 0; i < ins.OpCount && i < 3; i++)
        {
            var kind = ins.GetOpKind(i);
            switch (kind)
            {
                case OpKind.Register:
                    var reg = ins.GetOpRegister(i);
                    var index = RegIndex(reg);
                    if (i == 0)
                    {
                        op->R0 = index;
                        size = reg.IsGPR() ? reg.GetSize() : size;
                    }
                    else if (i == 1)
                    {
                        op->R1 = index;
                        if (size == 0 && reg.IsGPR())
                        {
                            size = reg.GetSize();
                        }
                    }
                    else
                    {
                        op->R2 = index;
                    }
                    break;
                case OpKind.Memory:
                    memoryAt = i;
                    var addressSize = AddressSize(in ins, bitness);
                    op->AddressMask = addressSize == 8 ? ulong.MaxValue : addressSize == 4 ? 0xFFFFFFFFUL : 0xFFFFUL;
                    if (ins.IsIPRelativeMemoryOperand)
                    {
                        op->Displacement = ins.IPRelativeMemoryAddress;
                    }
                    else
                    {
                        op->Displacement = ins.MemoryDisplacement64;
                        op->Base = ins.MemoryBase == IcedRegister.None ? ZeroRegister : RegIndex(ins.MemoryBase);
                    }
                    op->Index = ins.MemoryIndex == IcedRegister.None ? ZeroRegister : RegIndex(ins.MemoryIndex);
                    op->Scale = (byte)(ins.MemoryIndexScale switch { 2 => 1, 4 => 2, 8 => 3, _ => 0 });
                    op->Segment = RegIndex(ins.MemorySegment);
                    if (op->Segment > 5)
                    {
                        op->Segment = 3;
                    }
                    if (size == 0 && i == 0)
                    {
                        size = ins.MemorySize.GetSize();
                    }
                    break;
                case OpKind.NearBranch16:
                case OpKind.NearBranch32:
                case OpKind.NearBranch64:
                    op->Immediate = ins.NearBranchTarget;
                    break;
                case OpKind.Immediate8:
                case OpKind.Immediate8_2nd:
                case OpKind.Immediate16:
                case OpKind.Immediate32:
                case OpKind.Immediate64:
                case OpKind.Immediate8to16:
                case OpKind.Immediate8to32:
                case OpKind.Immediate8to64:
                case OpKind.Immediate32to64:
                    if (immediateAt < 0)
                    {
                        immediateAt = i;
                        op->Immediate = ins.GetImmediate(i);
                    }
                    else
                    {
                        op->Extra = (byte)ins.GetImmediate(i);
                    }
                    break;
                case OpKind.MemorySegSI:
                case OpKind.MemorySegESI:
                case OpKind.MemorySegRSI:
                case OpKind.MemorySegDI:
                case OpKind.MemorySegEDI:
                case OpKind.MemorySegRDI:
                    op->Segment = RegIndex(ins.MemorySegment);
                    break;
                default:
                    break;
            }
        }
        if (size == 0)
        {
            size = ins.MemorySize != MemorySize.Unknown ? ins.MemorySize.GetSize() : bitness / 8;
        }
        op->Size = (byte)size;
        var shape = memoryAt == 0 ? (immediateAt == 1 ? Shape.MI : Shape.MR)
            : memoryAt == 1 ? Shape.RM
            : immediateAt == 1 ? Shape.RI
            : Shape.RR;
        if (size is 1 or 2 or 4 or 8)
        {
            op->Immediate &= size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
        }
        var ends = ins.FlowControl != FlowControl.Next;
        var handler = Select(in ins, op, shape, size, bitness, ref ends);
        if (handler == null)
        {
            op->Immediate = (ulong)_unimplementedText.Count;
            var formatter = new GasFormatter();
            var output = new StringOutput();
            formatter.Format(in ins, output);
            _unimplementedText.Add($"{output.ToStringAndReset()} ({ins.Code})");
            handler = &Unimplemented;
            ends = true;
        }
        if (bitness == 64 && ins.Op0Kind == OpKind.NearBranch64 && !IsCanonical(ins.NearBranchTarget) && ins.FlowControl is FlowControl.UnconditionalBranch or FlowControl.Call or FlowControl.ConditionalBranch
            && ins.Mnemonic is not (Mnemonic.Loop or Mnemonic.Loope or Mnemonic.Loopne or Mnemonic.Jrcxz or Mnemonic.Jecxz or Mnemonic.Jcxz))
        {
            op->Rep = (byte)(ins.FlowControl == FlowControl.ConditionalBranch ? 2 : 1);
            handler = &NonCanonicalDirectBranch;
        }
        op->Handler = handler;
        return ends;
    }
}
