using Iced.Intel;
using unsafe Handler = delegate*<ActorVisor.Cpu.X86Cpu, ActorVisor.Cpu.DecodedOp*, bool>;
using IcedRegister = Iced.Intel.Register;

namespace ActorVisor.Cpu;

/// <summary>
/// The opcode table: from mnemonic, operand shape and size to a specialised handler. One row per
/// shape and size; null means "not implemented" (the instruction raises #UD with a log line).
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private static Handler AluFor<TOp, TM>(Shape shape, int size)
        where TOp : struct, IAluOp
        where TM : struct, IOperand => (shape, size) switch
        {
            (Shape.RR, 1) => &Alu<TOp, S8, R0, R1>,
            (Shape.RR, 2) => &Alu<TOp, S16, R0, R1>,
            (Shape.RR, 4) => &Alu<TOp, S32, R0, R1>,
            (Shape.RR, 8) => &Alu<TOp, S64, R0, R1>,
            (Shape.RM, 1) => &Alu<TOp, S8, R0, TM>,
            (Shape.RM, 2) => &Alu<TOp, S16, R0, TM>,
            (Shape.RM, 4) => &Alu<TOp, S32, R0, TM>,
            (Shape.RM, 8) => &Alu<TOp, S64, R0, TM>,
            (Shape.MR, 1) => &Alu<TOp, S8, TM, R1>,
            (Shape.MR, 2) => &Alu<TOp, S16, TM, R1>,
            (Shape.MR, 4) => &Alu<TOp, S32, TM, R1>,
            (Shape.MR, 8) => &Alu<TOp, S64, TM, R1>,
            (Shape.RI, 1) => &Alu<TOp, S8, R0, I>,
            (Shape.RI, 2) => &Alu<TOp, S16, R0, I>,
            (Shape.RI, 4) => &Alu<TOp, S32, R0, I>,
            (Shape.RI, 8) => &Alu<TOp, S64, R0, I>,
            (Shape.MI, 1) => &Alu<TOp, S8, TM, I>,
            (Shape.MI, 2) => &Alu<TOp, S16, TM, I>,
            (Shape.MI, 4) => &Alu<TOp, S32, TM, I>,
            (Shape.MI, 8) => &Alu<TOp, S64, TM, I>,
            _ => null,
        };

    private static Handler MovFor<TM>(Shape shape, int size)
        where TM : struct, IOperand => (shape, size) switch
        {
            (Shape.RR, 1) => &Mov<S8, R0, R1>,
            (Shape.RR, 2) => &Mov<S16, R0, R1>,
            (Shape.RR, 4) => &Mov<S32, R0, R1>,
            (Shape.RR, 8) => &MovRR64,
            (Shape.RM, 1) => &Mov<S8, R0, TM>,
            (Shape.RM, 2) => &Mov<S16, R0, TM>,
            (Shape.RM, 4) => &Mov<S32, R0, TM>,
            (Shape.RM, 8) => &Mov<S64, R0, TM>,
            (Shape.MR, 1) => &Mov<S8, TM, R1>,
            (Shape.MR, 2) => &Mov<S16, TM, R1>,
            (Shape.MR, 4) => &Mov<S32, TM, R1>,
            (Shape.MR, 8) => &Mov<S64, TM, R1>,
            (Shape.RI, 1) => &Mov<S8, R0, I>,
            (Shape.RI, 2) => &Mov<S16, R0, I>,
            (Shape.RI, 4) => &Mov<S32, R0, I>,
            (Shape.RI, 8) => &Mov<S64, R0, I>,
            (Shape.MI, 1) => &Mov<S8, TM, I>,
            (Shape.MI, 2) => &Mov<S16, TM, I>,
            (Shape.MI, 4) => &Mov<S32, TM, I>,
            (Shape.MI, 8) => &Mov<S64, TM, I>,
            _ => null,
        };

    private static Handler UnaryFor<TOp, TM>(bool memory, int size)
        where TOp : struct, IUnaryOp
        where TM : struct, IOperand => (memory, size) switch
        {
            (false, 1) => &Unary<TOp, S8, R0>,
            (false, 2) => &Unary<TOp, S16, R0>,
            (false, 4) => &Unary<TOp, S32, R0>,
            (false, 8) => &Unary<TOp, S64, R0>,
            (true, 1) => &Unary<TOp, S8, TM>,
            (true, 2) => &Unary<TOp, S16, TM>,
            (true, 4) => &Unary<TOp, S32, TM>,
            (true, 8) => &Unary<TOp, S64, TM>,
            _ => null,
        };

    private static Handler ShiftFor<TOp, TM>(bool memory, int size)
        where TOp : struct, IShiftOp
        where TM : struct, IOperand => (memory, size) switch
        {
            (false, 1) => &Shift<TOp, S8, R0>,
            (false, 2) => &Shift<TOp, S16, R0>,
            (false, 4) => &Shift<TOp, S32, R0>,
            (false, 8) => &Shift<TOp, S64, R0>,
            (true, 1) => &Shift<TOp, S8, TM>,
            (true, 2) => &Shift<TOp, S16, TM>,
            (true, 4) => &Shift<TOp, S32, TM>,
            (true, 8) => &Shift<TOp, S64, TM>,
            _ => null,
        };

    /// <summary>One-operand multiply/divide family, chosen by <paramref name="kind"/> (0 MUL, 1 IMUL, 2 DIV, 3 IDIV).</summary>
    private static Handler MulDivFor<TM>(int kind, bool memory, int size)
        where TM : struct, IOperand => (kind, memory, size) switch
        {
            (0, false, 1) => &Mul<S8, R0>,
            (0, false, 2) => &Mul<S16, R0>,
            (0, false, 4) => &Mul<S32, R0>,
            (0, false, 8) => &Mul<S64, R0>,
            (0, true, 1) => &Mul<S8, TM>,
            (0, true, 2) => &Mul<S16, TM>,
            (0, true, 4) => &Mul<S32, TM>,
            (0, true, 8) => &Mul<S64, TM>,
            (1, false, 1) => &Imul1<S8, R0>,
            (1, false, 2) => &Imul1<S16, R0>,
            (1, false, 4) => &Imul1<S32, R0>,
            (1, false, 8) => &Imul1<S64, R0>,
            (1, true, 1) => &Imul1<S8, TM>,
            (1, true, 2) => &Imul1<S16, TM>,
            (1, true, 4) => &Imul1<S32, TM>,
            (1, true, 8) => &Imul1<S64, TM>,
            (2, false, 1) => &Div<S8, R0>,
            (2, false, 2) => &Div<S16, R0>,
            (2, false, 4) => &Div<S32, R0>,
            (2, false, 8) => &Div<S64, R0>,
            (2, true, 1) => &Div<S8, TM>,
            (2, true, 2) => &Div<S16, TM>,
            (2, true, 4) => &Div<S32, TM>,
            (2, true, 8) => &Div<S64, TM>,
            (3, false, 1) => &Idiv<S8, R0>,
            (3, false, 2) => &Idiv<S16, R0>,
            (3, false, 4) => &Idiv<S32, R0>,
            (3, false, 8) => &Idiv<S64, R0>,
            (3, true, 1) => &Idiv<S8, TM>,
            (3, true, 2) => &Idiv<S16, TM>,
            (3, true, 4) => &Idiv<S32, TM>,
            (3, true, 8) => &Idiv<S64, TM>,
            _ => null,
        };

    /// <summary>Handlers whose source is R1 or memory and whose destination is the register R0, by family.</summary>
    private static Handler RegFromRmFor<TM>(Mnemonic family, bool memory, int size)
        where TM : struct, IOperand => (family, memory, size) switch
        {
            (Mnemonic.Imul, false, 2) => &Imul2<S16, R1>,
            (Mnemonic.Imul, false, 4) => &Imul2<S32, R1>,
            (Mnemonic.Imul, false, 8) => &Imul2<S64, R1>,
            (Mnemonic.Imul, true, 2) => &Imul2<S16, TM>,
            (Mnemonic.Imul, true, 4) => &Imul2<S32, TM>,
            (Mnemonic.Imul, true, 8) => &Imul2<S64, TM>,
            (Mnemonic.Cmovo, false, 2) => &Cmov<S16, R1>,
            (Mnemonic.Cmovo, false, 4) => &Cmov<S32, R1>,
            (Mnemonic.Cmovo, false, 8) => &Cmov<S64, R1>,
            (Mnemonic.Cmovo, true, 2) => &Cmov<S16, TM>,
            (Mnemonic.Cmovo, true, 4) => &Cmov<S32, TM>,
            (Mnemonic.Cmovo, true, 8) => &Cmov<S64, TM>,
            (Mnemonic.Bsf, false, 2) => &BitScan<S16, R1>,
            (Mnemonic.Bsf, false, 4) => &BitScan<S32, R1>,
            (Mnemonic.Bsf, false, 8) => &BitScan<S64, R1>,
            (Mnemonic.Bsf, true, 2) => &BitScan<S16, TM>,
            (Mnemonic.Bsf, true, 4) => &BitScan<S32, TM>,
            (Mnemonic.Bsf, true, 8) => &BitScan<S64, TM>,
            _ => null,
        };

    private static Handler RmRegFor<TM>(Mnemonic family, bool memory, int size)
        where TM : struct, IOperand => (family, memory, size) switch
        {
            (Mnemonic.Xchg, false, 1) => &Xchg<S8, R0>,
            (Mnemonic.Xchg, false, 2) => &Xchg<S16, R0>,
            (Mnemonic.Xchg, false, 4) => &Xchg<S32, R0>,
            (Mnemonic.Xchg, false, 8) => &Xchg<S64, R0>,
            (Mnemonic.Xchg, true, 1) => &Xchg<S8, TM>,
            (Mnemonic.Xchg, true, 2) => &Xchg<S16, TM>,
            (Mnemonic.Xchg, true, 4) => &Xchg<S32, TM>,
            (Mnemonic.Xchg, true, 8) => &Xchg<S64, TM>,
            (Mnemonic.Xadd, false, 1) => &Xadd<S8, R0>,
            (Mnemonic.Xadd, false, 2) => &Xadd<S16, R0>,
            (Mnemonic.Xadd, false, 4) => &Xadd<S32, R0>,
            (Mnemonic.Xadd, false, 8) => &Xadd<S64, R0>,
            (Mnemonic.Xadd, true, 1) => &Xadd<S8, TM>,
            (Mnemonic.Xadd, true, 2) => &Xadd<S16, TM>,
            (Mnemonic.Xadd, true, 4) => &Xadd<S32, TM>,
            (Mnemonic.Xadd, true, 8) => &Xadd<S64, TM>,
            (Mnemonic.Cmpxchg, false, 1) => &Cmpxchg<S8, R0>,
            (Mnemonic.Cmpxchg, false, 2) => &Cmpxchg<S16, R0>,
            (Mnemonic.Cmpxchg, false, 4) => &Cmpxchg<S32, R0>,
            (Mnemonic.Cmpxchg, false, 8) => &Cmpxchg<S64, R0>,
            (Mnemonic.Cmpxchg, true, 1) => &Cmpxchg<S8, TM>,
            (Mnemonic.Cmpxchg, true, 2) => &Cmpxchg<S16, TM>,
            (Mnemonic.Cmpxchg, true, 4) => &Cmpxchg<S32, TM>,
            (Mnemonic.Cmpxchg, true, 8) => &Cmpxchg<S64, TM>,
            (Mnemonic.Bt, false, 2) => &BitTest<S16, R0>,
            (Mnemonic.Bt, false, 4) => &BitTest<S32, R0>,
            (Mnemonic.Bt, false, 8) => &BitTest<S64, R0>,
            (Mnemonic.Bt, true, 2) => &BitTest<S16, TM>,
            (Mnemonic.Bt, true, 4) => &BitTest<S32, TM>,
            (Mnemonic.Bt, true, 8) => &BitTest<S64, TM>,
            (Mnemonic.Shld, false, 2) => &DoubleShift<S16, R0>,
            (Mnemonic.Shld, false, 4) => &DoubleShift<S32, R0>,
            (Mnemonic.Shld, false, 8) => &DoubleShift<S64, R0>,
            (Mnemonic.Shld, true, 2) => &DoubleShift<S16, TM>,
            (Mnemonic.Shld, true, 4) => &DoubleShift<S32, TM>,
            (Mnemonic.Shld, true, 8) => &DoubleShift<S64, TM>,
            _ => null,
        };

    private static Handler MovExtendFor<TM>(int dst, int src, bool memory)
        where TM : struct, IOperand => (dst, src, memory) switch
        {
            (2, 1, false) => &MovExtend<S16, S8, R1>,
            (4, 1, false) => &MovExtend<S32, S8, R1>,
            (8, 1, false) => &MovExtend<S64, S8, R1>,
            (4, 2, false) => &MovExtend<S32, S16, R1>,
            (8, 2, false) => &MovExtend<S64, S16, R1>,
            (8, 4, false) => &MovExtend<S64, S32, R1>,
            (4, 4, false) => &MovExtend<S32, S32, R1>,
            (2, 2, false) => &MovExtend<S16, S16, R1>,
            (2, 1, true) => &MovExtend<S16, S8, TM>,
            (4, 1, true) => &MovExtend<S32, S8, TM>,
            (8, 1, true) => &MovExtend<S64, S8, TM>,
            (4, 2, true) => &MovExtend<S32, S16, TM>,
            (8, 2, true) => &MovExtend<S64, S16, TM>,
            (8, 4, true) => &MovExtend<S64, S32, TM>,
            (4, 4, true) => &MovExtend<S32, S32, TM>,
            (2, 2, true) => &MovExtend<S16, S16, TM>,
            _ => null,
        };

    private static Handler StackFor<TM>(Mnemonic family, int stackSize, int shape)
        where TM : struct, IOperand => (family, stackSize, shape) switch
        {
            (Mnemonic.Push, 2, 0) => &PushOp<S16, R0>,
            (Mnemonic.Push, 4, 0) => &PushOp<S32, R0>,
            (Mnemonic.Push, 8, 0) => &PushOp<S64, R0>,
            (Mnemonic.Push, 2, 1) => &PushOp<S16, TM>,
            (Mnemonic.Push, 4, 1) => &PushOp<S32, TM>,
            (Mnemonic.Push, 8, 1) => &PushOp<S64, TM>,
            (Mnemonic.Push, 2, 2) => &PushOp<S16, I>,
            (Mnemonic.Push, 4, 2) => &PushOp<S32, I>,
            (Mnemonic.Push, 8, 2) => &PushOp<S64, I>,
            (Mnemonic.Pop, 2, 0) => &PopOp<S16, R0>,
            (Mnemonic.Pop, 4, 0) => &PopOp<S32, R0>,
            (Mnemonic.Pop, 8, 0) => &PopOp<S64, R0>,
            (Mnemonic.Pop, 2, 1) => &PopOp<S16, TM>,
            (Mnemonic.Pop, 4, 1) => &PopOp<S32, TM>,
            (Mnemonic.Pop, 8, 1) => &PopOp<S64, TM>,
            (Mnemonic.Call, 2, 0) => &CallIndirect<S16, R0>,
            (Mnemonic.Call, 4, 0) => &CallIndirect<S32, R0>,
            (Mnemonic.Call, 8, 0) => &CallIndirect<S64, R0>,
            (Mnemonic.Call, 2, 1) => &CallIndirect<S16, TM>,
            (Mnemonic.Call, 4, 1) => &CallIndirect<S32, TM>,
            (Mnemonic.Call, 8, 1) => &CallIndirect<S64, TM>,
            (Mnemonic.Call, 2, 3) => &CallRel<S16>,
            (Mnemonic.Call, 4, 3) => &CallRel<S32>,
            (Mnemonic.Call, 8, 3) => &CallRel<S64>,
            (Mnemonic.Jmp, 2, 0) => &JmpIndirect<S16, R0>,
            (Mnemonic.Jmp, 4, 0) => &JmpIndirect<S32, R0>,
            (Mnemonic.Jmp, 8, 0) => &JmpIndirect<S64, R0>,
            (Mnemonic.Jmp, 2, 1) => &JmpIndirect<S16, TM>,
            (Mnemonic.Jmp, 4, 1) => &JmpIndirect<S32, TM>,
            (Mnemonic.Jmp, 8, 1) => &JmpIndirect<S64, TM>,
            (Mnemonic.Ret, 2, 0) => &Ret<S16>,
            (Mnemonic.Ret, 4, 0) => &Ret<S32>,
            (Mnemonic.Ret, 8, 0) => &Ret<S64>,
            (Mnemonic.Pushf, 2, 0) => &Pushf<S16>,
            (Mnemonic.Pushf, 4, 0) => &Pushf<S32>,
            (Mnemonic.Pushf, 8, 0) => &Pushf<S64>,
            (Mnemonic.Popf, 2, 0) => &Popf<S16>,
            (Mnemonic.Popf, 4, 0) => &Popf<S32>,
            (Mnemonic.Popf, 8, 0) => &Popf<S64>,
            (Mnemonic.Leave, 2, 0) => &Leave<S16>,
            (Mnemonic.Leave, 4, 0) => &Leave<S32>,
            (Mnemonic.Leave, 8, 0) => &Leave<S64>,
            (Mnemonic.Enter, 2, 0) => &Enter<S16>,
            (Mnemonic.Enter, 4, 0) => &Enter<S32>,
            (Mnemonic.Enter, 8, 0) => &Enter<S64>,
            (Mnemonic.Lea, 2, 0) => &Lea<S16>,
            (Mnemonic.Lea, 4, 0) => &Lea<S32>,
            (Mnemonic.Lea, 8, 0) => &Lea<S64>,
            (Mnemonic.Setb, _, 0) => &SetCc<R0>,
            (Mnemonic.Setb, _, 1) => &SetCc<TM>,
            (Mnemonic.Mov, 2, 4) => &PushSegment<S16>,
            (Mnemonic.Mov, 4, 4) => &PushSegment<S32>,
            (Mnemonic.Mov, 8, 4) => &PushSegment<S64>,
            (Mnemonic.Mov, 2, 5) => &PopSegment<S16>,
            (Mnemonic.Mov, 4, 5) => &PopSegment<S32>,
            (Mnemonic.Mov, 8, 5) => &PopSegment<S64>,
            _ => null,
        };

    private static Handler StringFor(Mnemonic family, int size) => (family, size) switch
    {
        (Mnemonic.Movsb, 1) => &Movs<S8>,
        (Mnemonic.Movsb, 2) => &Movs<S16>,
        (Mnemonic.Movsb, 4) => &Movs<S32>,
        (Mnemonic.Movsb, 8) => &Movs<S64>,
        (Mnemonic.Stosb, 1) => &Stos<S8>,
        (Mnemonic.Stosb, 2) => &Stos<S16>,
        (Mnemonic.Stosb, 4) => &Stos<S32>,
        (Mnemonic.Stosb, 8) => &Stos<S64>,
        (Mnemonic.Lodsb, 1) => &Lods<S8>,
        (Mnemonic.Lodsb, 2) => &Lods<S16>,
        (Mnemonic.Lodsb, 4) => &Lods<S32>,
        (Mnemonic.Lodsb, 8) => &Lods<S64>,
        (Mnemonic.Cmpsb, 1) => &Cmps<S8>,
        (Mnemonic.Cmpsb, 2) => &Cmps<S16>,
        (Mnemonic.Cmpsb, 4) => &Cmps<S32>,
        (Mnemonic.Cmpsb, 8) => &Cmps<S64>,
        (Mnemonic.Scasb, 1) => &Scas<S8>,
        (Mnemonic.Scasb, 2) => &Scas<S16>,
        (Mnemonic.Scasb, 4) => &Scas<S32>,
        (Mnemonic.Scasb, 8) => &Scas<S64>,
        _ => null,
    };

    /// <summary>True when the memory operand needs no segment base or address-size wrap (64-bit mode, 64-bit addressing, not FS/GS).</summary>
    private static bool IsFlat(DecodedOp* op, int bitness) => bitness == 64 && op->AddressMask == ulong.MaxValue && op->Segment < 4;

    private static int StackSize(in Instruction ins, int bitness)
    {
        var increment = ins.StackPointerIncrement;
        return increment != 0 ? Math.Abs(increment) : bitness == 64 ? 8 : bitness / 8;
    }

    private static int AddressSizeOfString(in Instruction ins, int bitness)
    {
        for (var i = 0; i < ins.OpCount; i++)
        {
            switch (ins.GetOpKind(i))
            {
                case OpKind.MemorySegRSI:
                case OpKind.MemorySegRDI:
                case OpKind.MemoryESRDI:
                    return 8;
                case OpKind.MemorySegESI:
                case OpKind.MemorySegEDI:
                case OpKind.MemoryESEDI:
                    return 4;
                case OpKind.MemorySegSI:
                case OpKind.MemorySegDI:
                case OpKind.MemoryESDI:
                    return 2;
                default:
                    break;
            }
        }
        return bitness / 8;
    }

    private Handler Select(in Instruction ins, DecodedOp* op, Shape shape, int size, int bitness, ref bool ends)
    {
        var flat = IsFlat(op, bitness);
        var memory = shape is Shape.MR or Shape.MI or Shape.RM;
        var firstOperandIsMemory = ins.OpCount > 0 && ins.GetOpKind(0) == OpKind.Memory;
        if (firstOperandIsMemory && (ins.HasLockPrefix || ins.Mnemonic == Mnemonic.Xchg) && !ins.IsStringInstruction)
        {
            var locked = SelectLocked(ins.Mnemonic, shape, size, flat);
            if (locked != null)
            {
                return locked;
            }
        }
        var first = ins.OpCount > 0 ? ins.GetOpKind(0) : OpKind.Register;
        var firstIsMemory = first == OpKind.Memory;
        if (ins.IsStringInstruction)
        {
            op->Extra = (byte)AddressSizeOfString(in ins, bitness);
            op->Rep = (byte)(ins.HasRepnePrefix ? 2 : ins.HasRepPrefix || ins.HasRepePrefix ? 1 : 0);
            if (ins.Mnemonic is Mnemonic.Movsb or Mnemonic.Lodsb or Mnemonic.Cmpsb)
            {
                op->Segment = RegIndex(ins.MemorySegment);
            }
            var elementSize = ins.MemorySize.GetSize();
            op->Size = (byte)elementSize;
            return ins.Mnemonic switch
            {
                Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Movsq => StringFor(Mnemonic.Movsb, elementSize),
                Mnemonic.Stosb or Mnemonic.Stosw or Mnemonic.Stosd or Mnemonic.Stosq => StringFor(Mnemonic.Stosb, elementSize),
                Mnemonic.Lodsb or Mnemonic.Lodsw or Mnemonic.Lodsd or Mnemonic.Lodsq => StringFor(Mnemonic.Lodsb, elementSize),
                Mnemonic.Cmpsb or Mnemonic.Cmpsw or Mnemonic.Cmpsd or Mnemonic.Cmpsq => StringFor(Mnemonic.Cmpsb, elementSize),
                Mnemonic.Scasb or Mnemonic.Scasw or Mnemonic.Scasd or Mnemonic.Scasq => StringFor(Mnemonic.Scasb, elementSize),
                _ => null,
            };
        }
        switch (ins.Mnemonic)
        {
            case Mnemonic.Add:
                return (flat ? AluFor<AddOp, MF>(shape, size) : AluFor<AddOp, M>(shape, size));
            case Mnemonic.Or:
                return (flat ? AluFor<OrOp, MF>(shape, size) : AluFor<OrOp, M>(shape, size));
            case Mnemonic.Adc:
                return (flat ? AluFor<AdcOp, MF>(shape, size) : AluFor<AdcOp, M>(shape, size));
            case Mnemonic.Sbb:
                return (flat ? AluFor<SbbOp, MF>(shape, size) : AluFor<SbbOp, M>(shape, size));
            case Mnemonic.And:
                return (flat ? AluFor<AndOp, MF>(shape, size) : AluFor<AndOp, M>(shape, size));
            case Mnemonic.Sub:
                return (flat ? AluFor<SubOp, MF>(shape, size) : AluFor<SubOp, M>(shape, size));
            case Mnemonic.Xor:
                if (shape == Shape.RR && op->R0 == op->R1 && op->R0 < 16)
                {
                    return size switch { 4 => &ZeroIdiom<S32>, 8 => &ZeroIdiom<S64>, _ => (flat ? AluFor<XorOp, MF>(shape, size) : AluFor<XorOp, M>(shape, size)) };
                }
                return (flat ? AluFor<XorOp, MF>(shape, size) : AluFor<XorOp, M>(shape, size));
            case Mnemonic.Cmp:
                return (flat ? AluFor<CmpOp, MF>(shape, size) : AluFor<CmpOp, M>(shape, size));
            case Mnemonic.Test:
                return (flat ? AluFor<TestOp, MF>(shape, size) : AluFor<TestOp, M>(shape, size));
            case Mnemonic.Inc:
                return (flat ? UnaryFor<IncOp, MF>(firstIsMemory, size) : UnaryFor<IncOp, M>(firstIsMemory, size));
            case Mnemonic.Dec:
                return (flat ? UnaryFor<DecOp, MF>(firstIsMemory, size) : UnaryFor<DecOp, M>(firstIsMemory, size));
            case Mnemonic.Not:
                return (flat ? UnaryFor<NotOp, MF>(firstIsMemory, size) : UnaryFor<NotOp, M>(firstIsMemory, size));
            case Mnemonic.Neg:
                return (flat ? UnaryFor<NegOp, MF>(firstIsMemory, size) : UnaryFor<NegOp, M>(firstIsMemory, size));
            case Mnemonic.Mov:
                return SelectMov(in ins, op, shape, size, ref ends);
            case Mnemonic.Movzx:
            case Mnemonic.Movsx:
            case Mnemonic.Movsxd:
                op->Condition = (byte)(ins.Mnemonic == Mnemonic.Movzx ? 0 : 1);
                var srcSize = memory ? ins.MemorySize.GetSize() : ins.GetOpRegister(1).GetSize();
                return (flat ? MovExtendFor<MF>(size, srcSize, memory) : MovExtendFor<M>(size, srcSize, memory));
            case Mnemonic.Lea:
                return (flat ? StackFor<MF>(Mnemonic.Lea, size, 0) : StackFor<M>(Mnemonic.Lea, size, 0));
            case Mnemonic.Xchg:
            case Mnemonic.Xadd:
            case Mnemonic.Cmpxchg:
                if (shape == Shape.RM)
                {
                    (op->R1, op->R0) = (op->R0, ZeroRegister);
                }
                return (flat ? RmRegFor<MF>(ins.Mnemonic, memory, size) : RmRegFor<M>(ins.Mnemonic, memory, size));
            case Mnemonic.Cmpxchg8b:
            case Mnemonic.Cmpxchg16b:
                op->Size = (byte)(ins.Mnemonic == Mnemonic.Cmpxchg8b ? 8 : 16);
                return &CmpxchgDouble;
            case Mnemonic.Shl:
            case Mnemonic.Sal:
            case Mnemonic.Shr:
            case Mnemonic.Sar:
            case Mnemonic.Rol:
            case Mnemonic.Ror:
            case Mnemonic.Rcl:
            case Mnemonic.Rcr:
                if (ins.OpCount > 1 && ins.GetOpKind(1) == OpKind.Register)
                {
                    op->Extra = 1;
                }
                else if (ins.OpCount == 1)
                {
                    op->Immediate = 1;
                }
                return ins.Mnemonic switch
                {
                    Mnemonic.Shl or Mnemonic.Sal => (flat ? ShiftFor<ShlOp, MF>(firstIsMemory, size) : ShiftFor<ShlOp, M>(firstIsMemory, size)),
                    Mnemonic.Shr => (flat ? ShiftFor<ShrOp, MF>(firstIsMemory, size) : ShiftFor<ShrOp, M>(firstIsMemory, size)),
                    Mnemonic.Sar => (flat ? ShiftFor<SarOp, MF>(firstIsMemory, size) : ShiftFor<SarOp, M>(firstIsMemory, size)),
                    Mnemonic.Rol => (flat ? ShiftFor<RolOp, MF>(firstIsMemory, size) : ShiftFor<RolOp, M>(firstIsMemory, size)),
                    Mnemonic.Ror => (flat ? ShiftFor<RorOp, MF>(firstIsMemory, size) : ShiftFor<RorOp, M>(firstIsMemory, size)),
                    Mnemonic.Rcl => (flat ? ShiftFor<RclOp, MF>(firstIsMemory, size) : ShiftFor<RclOp, M>(firstIsMemory, size)),
                    _ => (flat ? ShiftFor<RcrOp, MF>(firstIsMemory, size) : ShiftFor<RcrOp, M>(firstIsMemory, size)),
                };
            case Mnemonic.Shld:
            case Mnemonic.Shrd:
                op->Condition = (byte)(ins.Mnemonic == Mnemonic.Shld ? 0 : 1);
                if (ins.GetOpKind(2) == OpKind.Register)
                {
                    op->Extra = 1;
                }
                return (flat ? RmRegFor<MF>(Mnemonic.Shld, firstIsMemory, size) : RmRegFor<M>(Mnemonic.Shld, firstIsMemory, size));
            case Mnemonic.Mul:
                return (flat ? MulDivFor<MF>(0, firstIsMemory, size) : MulDivFor<M>(0, firstIsMemory, size));
            case Mnemonic.Div:
                return (flat ? MulDivFor<MF>(2, firstIsMemory, size) : MulDivFor<M>(2, firstIsMemory, size));
            case Mnemonic.Idiv:
                return (flat ? MulDivFor<MF>(3, firstIsMemory, size) : MulDivFor<M>(3, firstIsMemory, size));
            case Mnemonic.Imul:
                if (ins.OpCount == 1)
                {
                    return (flat ? MulDivFor<MF>(1, firstIsMemory, size) : MulDivFor<M>(1, firstIsMemory, size));
                }
                if (ins.OpCount == 3)
                {
                    op->Extra = 1;
                    op->Immediate = ins.GetImmediate(2);
                }
                return (flat ? RegFromRmFor<MF>(Mnemonic.Imul, memory, size) : RegFromRmFor<M>(Mnemonic.Imul, memory, size));
            case Mnemonic.Bt:
            case Mnemonic.Bts:
            case Mnemonic.Btr:
            case Mnemonic.Btc:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Bt => 0, Mnemonic.Bts => 1, Mnemonic.Btr => 2, _ => 3 });
                op->Extra = (byte)(ins.GetOpKind(1) == OpKind.Register ? 0 : 1);
                return (flat ? RmRegFor<MF>(Mnemonic.Bt, firstIsMemory, size) : RmRegFor<M>(Mnemonic.Bt, firstIsMemory, size));
            case Mnemonic.Bsf:
            case Mnemonic.Bsr:
            case Mnemonic.Tzcnt:
            case Mnemonic.Lzcnt:
            case Mnemonic.Popcnt:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Bsf => 0, Mnemonic.Bsr => 1, Mnemonic.Tzcnt => 2, Mnemonic.Lzcnt => 3, _ => 4 });
                return (flat ? RegFromRmFor<MF>(Mnemonic.Bsf, memory, size) : RegFromRmFor<M>(Mnemonic.Bsf, memory, size));
            case Mnemonic.Bswap:
                return &Bswap;
            case Mnemonic.Cbw:
            case Mnemonic.Cwde:
            case Mnemonic.Cdqe:
                op->Size = (byte)(ins.Mnemonic switch { Mnemonic.Cbw => 2, Mnemonic.Cwde => 4, _ => 8 });
                return &ConvertAccumulator;
            case Mnemonic.Cwd:
            case Mnemonic.Cdq:
            case Mnemonic.Cqo:
                op->Condition = 1;
                op->Size = (byte)(ins.Mnemonic switch { Mnemonic.Cwd => 2, Mnemonic.Cdq => 4, _ => 8 });
                return &ConvertAccumulator;
            case Mnemonic.Clc:
            case Mnemonic.Stc:
            case Mnemonic.Cmc:
            case Mnemonic.Cld:
            case Mnemonic.Std:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Clc => 0, Mnemonic.Stc => 1, Mnemonic.Cmc => 2, Mnemonic.Cld => 3, _ => 4 });
                return &FlagOp;
            case Mnemonic.Lahf:
                return &Lahf;
            case Mnemonic.Sahf:
                return &Sahf;
            case Mnemonic.Nop:
            case Mnemonic.Pause:
            case Mnemonic.Lfence:
            case Mnemonic.Mfence:
            case Mnemonic.Sfence:
            case Mnemonic.Prefetchnta:
            case Mnemonic.Prefetcht0:
            case Mnemonic.Prefetcht1:
            case Mnemonic.Prefetcht2:
            case Mnemonic.Prefetchw:
            case Mnemonic.Endbr64:
            case Mnemonic.Endbr32:
            case Mnemonic.Clflush:
            case Mnemonic.Clflushopt:
                return &Nop;
            default:
                break;
        }
        if (ins.ConditionCode != ConditionCode.None && ins.Mnemonic != Mnemonic.Loope && ins.Mnemonic != Mnemonic.Loopne)
        {
            op->Condition = (byte)(ins.ConditionCode - 1);
            if (ins.FlowControl == FlowControl.ConditionalBranch)
            {
                return JccFor(op->Condition);
            }
            if (ins.Mnemonic >= Mnemonic.Cmova && ins.Mnemonic <= Mnemonic.Cmovs || ins.Mnemonic.ToString().StartsWith("Cmov", StringComparison.Ordinal))
            {
                return (flat ? RegFromRmFor<MF>(Mnemonic.Cmovo, memory, size) : RegFromRmFor<M>(Mnemonic.Cmovo, memory, size));
            }
            if (ins.Mnemonic.ToString().StartsWith("Set", StringComparison.Ordinal))
            {
                return (flat ? StackFor<MF>(Mnemonic.Setb, 0, firstIsMemory ? 1 : 0) : StackFor<M>(Mnemonic.Setb, 0, firstIsMemory ? 1 : 0));
            }
            return null;
        }
        return SelectControlAndSystem(in ins, op, size, bitness, firstIsMemory, ref ends);
    }

    private Handler SelectControlAndSystem(in Instruction ins, DecodedOp* op, int size, int bitness, bool firstIsMemory, ref bool ends)
    {
        var flat = IsFlat(op, bitness);
        var stack = StackSize(in ins, bitness);
        var first = ins.OpCount > 0 ? ins.GetOpKind(0) : OpKind.Register;
        var systemEnds = true;
        Handler h;
        switch (ins.Mnemonic)
        {
            case Mnemonic.Push:
            case Mnemonic.Pop:
                if (first == OpKind.Register && ins.GetOpRegister(0).IsSegmentRegister())
                {
                    op->Condition = RegIndex(ins.GetOpRegister(0));
                    ends = ins.Mnemonic == Mnemonic.Pop;
                    return (flat ? StackFor<MF>(Mnemonic.Mov, stack, ins.Mnemonic == Mnemonic.Push ? 4 : 5) : StackFor<M>(Mnemonic.Mov, stack, ins.Mnemonic == Mnemonic.Push ? 4 : 5));
                }
                if (first is not (OpKind.Register or OpKind.Memory))
                {
                    op->Immediate = ins.GetImmediate(0) & (stack == 8 ? ulong.MaxValue : (1UL << (stack * 8)) - 1);
                }
                return (flat ? StackFor<MF>(ins.Mnemonic, stack, first == OpKind.Register ? 0 : firstIsMemory ? 1 : 2) : StackFor<M>(ins.Mnemonic, stack, first == OpKind.Register ? 0 : firstIsMemory ? 1 : 2));
            case Mnemonic.Call:
                if (ins.FlowControl == FlowControl.Call)
                {
                    return (flat ? StackFor<MF>(Mnemonic.Call, stack, 3) : StackFor<M>(Mnemonic.Call, stack, 3));
                }
                if (ins.IsCallFar || ins.IsCallFarIndirect)
                {
                    return null;
                }
                return (flat ? StackFor<MF>(Mnemonic.Call, stack, firstIsMemory ? 1 : 0) : StackFor<M>(Mnemonic.Call, stack, firstIsMemory ? 1 : 0));
            case Mnemonic.Jmp:
                if (ins.FlowControl == FlowControl.UnconditionalBranch && !ins.IsJmpFar)
                {
                    return &JmpRel;
                }
                if (ins.IsJmpFar)
                {
                    op->Immediate = ins.FarBranch32;
                    op->Displacement = ins.FarBranchSelector;
                    op->Size = 4;
                    return &JmpFar;
                }
                if (ins.IsJmpFarIndirect)
                {
                    op->Extra = 1;
                    op->Size = (byte)(ins.MemorySize.GetSize() - 2);
                    return &JmpFar;
                }
                return (flat ? StackFor<MF>(Mnemonic.Jmp, bitness == 64 ? 8 : size, firstIsMemory ? 1 : 0) : StackFor<M>(Mnemonic.Jmp, bitness == 64 ? 8 : size, firstIsMemory ? 1 : 0));
            case Mnemonic.Ret:
                op->Immediate = ins.OpCount > 0 ? ins.GetImmediate(0) : 0;
                return (flat ? StackFor<MF>(Mnemonic.Ret, stack == 0 ? bitness / 8 : Math.Min(stack, 8) == stack ? stack : bitness / 8, 0) : StackFor<M>(Mnemonic.Ret, stack == 0 ? bitness / 8 : Math.Min(stack, 8) == stack ? stack : bitness / 8, 0));
            case Mnemonic.Retf:
                op->Immediate = ins.OpCount > 0 ? ins.GetImmediate(0) : 0;
                op->Size = (byte)(ins.Code is Code.Retfq or Code.Retfq_imm16 ? 8 : ins.Code is Code.Retfw or Code.Retfw_imm16 ? 2 : 4);
                return &RetFar;
            case Mnemonic.Loop:
            case Mnemonic.Loope:
            case Mnemonic.Loopne:
            case Mnemonic.Jcxz:
            case Mnemonic.Jecxz:
            case Mnemonic.Jrcxz:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Loop => 0, Mnemonic.Loope => 1, Mnemonic.Loopne => 2, _ => 3 });
                op->Extra = (byte)(ins.Mnemonic switch
                {
                    Mnemonic.Jcxz => 2,
                    Mnemonic.Jecxz => 4,
                    Mnemonic.Jrcxz => 8,
                    _ => ins.Code.ToString().Contains("_RCX", StringComparison.Ordinal) ? 8 : ins.Code.ToString().Contains("_ECX", StringComparison.Ordinal) ? 4 : 2,
                });
                return &Loop;
            case Mnemonic.Pushf:
            case Mnemonic.Pushfd:
            case Mnemonic.Pushfq:
                return (flat ? StackFor<MF>(Mnemonic.Pushf, stack, 0) : StackFor<M>(Mnemonic.Pushf, stack, 0));
            case Mnemonic.Popf:
            case Mnemonic.Popfd:
            case Mnemonic.Popfq:
                ends = true;
                return (flat ? StackFor<MF>(Mnemonic.Popf, stack, 0) : StackFor<M>(Mnemonic.Popf, stack, 0));
            case Mnemonic.Leave:
            case Mnemonic.Enter:
                var name = ins.Code.ToString();
                var frameSize = name.StartsWith("Enterw", StringComparison.Ordinal) || name.StartsWith("Leavew", StringComparison.Ordinal) ? 2
                    : name.StartsWith("Enterd", StringComparison.Ordinal) || name.StartsWith("Leaved", StringComparison.Ordinal) ? 4 : 8;
                return (flat ? StackFor<MF>(ins.Mnemonic, frameSize, 0) : StackFor<M>(ins.Mnemonic, frameSize, 0));
            case Mnemonic.Cpuid:
                h = &Cpuid;
                break;
            case Mnemonic.Rdtsc:
            case Mnemonic.Rdtscp:
                op->Condition = (byte)(ins.Mnemonic == Mnemonic.Rdtsc ? 0 : 1);
                h = &Rdtsc;
                systemEnds = false;
                break;
            case Mnemonic.Int:
            case Mnemonic.Int3:
            case Mnemonic.Into:
            case Mnemonic.Int1:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Int => 0, Mnemonic.Int3 => 1, Mnemonic.Into => 2, _ => 3 });
                op->Immediate = ins.Mnemonic switch { Mnemonic.Int => ins.Immediate8, Mnemonic.Int3 => 3UL, Mnemonic.Into => 4UL, _ => 1UL };
                h = &SoftwareInterrupt;
                break;
            case Mnemonic.Iret:
            case Mnemonic.Iretd:
            case Mnemonic.Iretq:
                op->Size = (byte)(ins.Mnemonic switch { Mnemonic.Iret => 2, Mnemonic.Iretd => 4, _ => 8 });
                h = &Iret;
                break;
            case Mnemonic.Syscall:
                h = &Syscall;
                break;
            case Mnemonic.Sysret:
            case Mnemonic.Sysretq:
                op->Size = (byte)(ins.Mnemonic == Mnemonic.Sysretq ? 8 : 4);
                h = &Sysret;
                break;
            case Mnemonic.Sysenter:
                h = &Sysenter;
                break;
            case Mnemonic.Sysexit:
            case Mnemonic.Sysexitq:
                op->Size = (byte)(ins.Mnemonic == Mnemonic.Sysexitq ? 8 : 4);
                h = &Sysexit;
                break;
            case Mnemonic.Hlt:
                h = &Hlt;
                break;
            case Mnemonic.Cli:
            case Mnemonic.Sti:
                op->Condition = (byte)(ins.Mnemonic == Mnemonic.Cli ? 0 : 1);
                h = &CliSti;
                break;
            case Mnemonic.Rdmsr:
                h = &Rdmsr;
                break;
            case Mnemonic.Wrmsr:
                h = &Wrmsr;
                break;
            case Mnemonic.Lgdt:
            case Mnemonic.Lidt:
            case Mnemonic.Sgdt:
            case Mnemonic.Sidt:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Lgdt => 0, Mnemonic.Lidt => 1, Mnemonic.Sgdt => 2, _ => 3 });
                h = &DescriptorTable;
                break;
            case Mnemonic.Lldt:
            case Mnemonic.Ltr:
            case Mnemonic.Sldt:
            case Mnemonic.Str:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Lldt => 0, Mnemonic.Ltr => 1, Mnemonic.Sldt => 2, _ => 3 });
                op->Extra = (byte)(firstIsMemory ? 1 : 0);
                h = &SystemSegment;
                break;
            case Mnemonic.Invlpg:
                h = &Invlpg;
                break;
            case Mnemonic.Swapgs:
                h = &Swapgs;
                break;
            case Mnemonic.Clts:
            case Mnemonic.Wbinvd:
            case Mnemonic.Invd:
                op->Condition = (byte)(ins.Mnemonic switch { Mnemonic.Clts => 0, Mnemonic.Wbinvd => 1, _ => 2 });
                h = &CacheControl;
                break;
            case Mnemonic.In:
            case Mnemonic.Out:
                var outbound = ins.Mnemonic == Mnemonic.Out;
                op->Extra = (byte)(outbound ? 1 : 0);
                var dataRegister = ins.GetOpRegister(outbound ? 1 : 0);
                op->Size = (byte)dataRegister.GetSize();
                var portOperand = outbound ? 0 : 1;
                op->Condition = (byte)(ins.GetOpKind(portOperand) == OpKind.Register ? 1 : 0);
                op->Immediate = op->Condition == 0 ? ins.GetImmediate(portOperand) : 0;
                h = &PortIo;
                break;
            case Mnemonic.Ud0:
            case Mnemonic.Ud1:
            case Mnemonic.Ud2:
                h = &Ud;
                break;
            default:
                h = SelectX87(in ins, op);
                if (h == null)
                {
                    h = SelectSse(in ins, op);
                }
                systemEnds = false;
                break;
        }
        ends |= systemEnds && h != null;
        return h;
    }

    private Handler SelectMov(in Instruction ins, DecodedOp* op, Shape shape, int size, ref bool ends)
    {
        var flat = IsFlat(op, 64) && _mode == CpuMode.Long64;
        var k0 = ins.GetOpKind(0);
        var k1 = ins.GetOpKind(1);
        if (k0 == OpKind.Register && k1 == OpKind.Register)
        {
            var r0 = ins.GetOpRegister(0);
            var r1 = ins.GetOpRegister(1);
            if (r0 >= IcedRegister.CR0 && r0 <= IcedRegister.CR15 || r1 >= IcedRegister.CR0 && r1 <= IcedRegister.CR15)
            {
                var write = r0 >= IcedRegister.CR0 && r0 <= IcedRegister.CR15;
                op->Extra = (byte)(write ? 1 : 0);
                op->Condition = write ? op->R0 : op->R1;
                ends = true;
                return &MovCr;
            }
            if (r0 >= IcedRegister.DR0 && r0 <= IcedRegister.DR15 || r1 >= IcedRegister.DR0 && r1 <= IcedRegister.DR15)
            {
                var write = r0 >= IcedRegister.DR0 && r0 <= IcedRegister.DR15;
                op->Extra = (byte)(write ? 1 : 0);
                op->Condition = write ? op->R0 : op->R1;
                ends = true;
                return &MovDr;
            }
        }
        if (k0 == OpKind.Register && ins.GetOpRegister(0).IsSegmentRegister())
        {
            op->Condition = op->R0;
            op->Extra = (byte)(k1 == OpKind.Memory ? 1 : 0);
            ends = true;
            return &MovToSegment;
        }
        if (k1 == OpKind.Register && ins.GetOpRegister(1).IsSegmentRegister())
        {
            op->Condition = op->R1;
            op->Extra = (byte)(k0 == OpKind.Memory ? 1 : 0);
            op->Size = (byte)(k0 == OpKind.Memory ? 2 : ins.GetOpRegister(0).GetSize());
            return &MovFromSegment;
        }
        if (shape == Shape.MR && size == 0)
        {
            return null;
        }
        return (flat ? MovFor<MF>(shape, size) : MovFor<M>(shape, size));
    }
}
