using System.Runtime.CompilerServices;

namespace ActorVisor.Cpu;

/// <summary>
/// Compile-time operand shapes. Handlers are generic over an operand size (<see cref="ISize"/>) and
/// operand locations (<see cref="IOperand"/>); the JIT specialises each combination, so a handler has
/// no run-time branch on size or location. A register operand is reached through a pointer into the
/// register file, so read-modify-write has one shape for registers and memory.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    /// <summary>Register-file index that always reads zero; used for an absent base or index.</summary>
    internal const byte ZeroRegister = 20;

    private interface ISize
    {
        static abstract int Bytes { get; }
        static abstract ulong Mask { get; }
        static abstract ulong Sign { get; }
        static abstract ulong Load(byte* p);
        static abstract void Store(byte* p, ulong value);
        static abstract ulong GetReg(ulong* g, int r);
        static abstract void SetReg(ulong* g, int r, ulong value);
        static abstract byte* RegPointer(ulong* g, int r);
        static abstract void StoreReg(byte* p, ulong value);
        static abstract ulong SignExtend(ulong value);
        static abstract ulong CompareExchange(byte* p, ulong value, ulong expected);
        static abstract ulong Exchange(byte* p, ulong value);
    }

    private struct S8 : ISize
    {
        public static int Bytes => 1;
        public static ulong Mask => 0xFF;
        public static ulong Sign => 0x80;
        public static ulong Load(byte* p) => *p;
        public static void Store(byte* p, ulong value) => *p = (byte)value;
        public static ulong GetReg(ulong* g, int r) => r < 16 ? (byte)g[r] : (byte)(g[r - 16] >> 8);
        public static void SetReg(ulong* g, int r, ulong value) => *RegPointer(g, r) = (byte)value;
        public static byte* RegPointer(ulong* g, int r) => r < 16 ? (byte*)(g + r) : (byte*)(g + r - 16) + 1;
        public static void StoreReg(byte* p, ulong value) => *p = (byte)value;
        public static ulong SignExtend(ulong value) => (ulong)(sbyte)value;
        public static ulong CompareExchange(byte* p, ulong value, ulong expected) => Interlocked.CompareExchange(ref *(byte*)p, (byte)value, (byte)expected);
        public static ulong Exchange(byte* p, ulong value) => Interlocked.Exchange(ref *(byte*)p, (byte)value);
    }

    private struct S16 : ISize
    {
        public static int Bytes => 2;
        public static ulong Mask => 0xFFFF;
        public static ulong Sign => 0x8000;
        public static ulong Load(byte* p) => *(ushort*)p;
        public static void Store(byte* p, ulong value) => *(ushort*)p = (ushort)value;
        public static ulong GetReg(ulong* g, int r) => (ushort)g[r];
        public static void SetReg(ulong* g, int r, ulong value) => *(ushort*)(g + r) = (ushort)value;
        public static byte* RegPointer(ulong* g, int r) => (byte*)(g + r);
        public static void StoreReg(byte* p, ulong value) => *(ushort*)p = (ushort)value;
        public static ulong SignExtend(ulong value) => (ulong)(short)value;
        public static ulong CompareExchange(byte* p, ulong value, ulong expected) => Interlocked.CompareExchange(ref *(ushort*)p, (ushort)value, (ushort)expected);
        public static ulong Exchange(byte* p, ulong value) => Interlocked.Exchange(ref *(ushort*)p, (ushort)value);
    }

    private struct S32 : ISize
    {
        public static int Bytes => 4;
        public static ulong Mask => 0xFFFFFFFF;
        public static ulong Sign => 0x80000000;
        public static ulong Load(byte* p) => *(uint*)p;
        public static void Store(byte* p, ulong value) => *(uint*)p = (uint)value;
        public static ulong GetReg(ulong* g, int r) => (uint)g[r];
        public static void SetReg(ulong* g, int r, ulong value) => g[r] = (uint)value;
        public static byte* RegPointer(ulong* g, int r) => (byte*)(g + r);
        public static void StoreReg(byte* p, ulong value) => *(ulong*)p = (uint)value;
        public static ulong SignExtend(ulong value) => (ulong)(int)value;
        public static ulong CompareExchange(byte* p, ulong value, ulong expected) => Interlocked.CompareExchange(ref *(uint*)p, (uint)value, (uint)expected);
        public static ulong Exchange(byte* p, ulong value) => Interlocked.Exchange(ref *(uint*)p, (uint)value);
    }

    private struct S64 : ISize
    {
        public static int Bytes => 8;
        public static ulong Mask => ulong.MaxValue;
        public static ulong Sign => 0x8000000000000000;
        public static ulong Load(byte* p) => *(ulong*)p;
        public static void Store(byte* p, ulong value) => *(ulong*)p = value;
        public static ulong GetReg(ulong* g, int r) => g[r];
        public static void SetReg(ulong* g, int r, ulong value) => g[r] = value;
        public static byte* RegPointer(ulong* g, int r) => (byte*)(g + r);
        public static void StoreReg(byte* p, ulong value) => *(ulong*)p = value;
        public static ulong SignExtend(ulong value) => value;
        public static ulong CompareExchange(byte* p, ulong value, ulong expected) => Interlocked.CompareExchange(ref *(ulong*)p, (ulong)value, (ulong)expected);
        public static ulong Exchange(byte* p, ulong value) => Interlocked.Exchange(ref *(ulong*)p, (ulong)value);
    }

    private interface IOperand
    {
        static abstract bool IsMemory { get; }
        static abstract bool Load<TS>(X86Cpu c, DecodedOp* op, out ulong value)
            where TS : struct, ISize;
        static abstract bool Store<TS>(X86Cpu c, DecodedOp* op, ulong value)
            where TS : struct, ISize;
        static abstract byte* Begin<TS>(X86Cpu c, DecodedOp* op)
            where TS : struct, ISize;
        static abstract void End<TS>(X86Cpu c, byte* p, ulong value)
            where TS : struct, ISize;
    }

    /// <summary>The register in R0 (usually the first operand).</summary>
    private struct R0 : IOperand
    {
        public static bool IsMemory => false;

        public static bool Load<TS>(X86Cpu c, DecodedOp* op, out ulong value)
            where TS : struct, ISize
        {
            value = TS.GetReg(c._g, op->R0);
            return true;
        }

        public static bool Store<TS>(X86Cpu c, DecodedOp* op, ulong value)
            where TS : struct, ISize
        {
            TS.SetReg(c._g, op->R0, value);
            return true;
        }

        public static byte* Begin<TS>(X86Cpu c, DecodedOp* op)
            where TS : struct, ISize => TS.RegPointer(c._g, op->R0);

        public static void End<TS>(X86Cpu c, byte* p, ulong value)
            where TS : struct, ISize => TS.StoreReg(p, value);
    }

    /// <summary>The register in R1 (usually the second operand).</summary>
    private struct R1 : IOperand
    {
        public static bool IsMemory => false;

        public static bool Load<TS>(X86Cpu c, DecodedOp* op, out ulong value)
            where TS : struct, ISize
        {
            value = TS.GetReg(c._g, op->R1);
            return true;
        }

        public static bool Store<TS>(X86Cpu c, DecodedOp* op, ulong value)
            where TS : struct, ISize
        {
            TS.SetReg(c._g, op->R1, value);
            return true;
        }

        public static byte* Begin<TS>(X86Cpu c, DecodedOp* op)
            where TS : struct, ISize => TS.RegPointer(c._g, op->R1);

        public static void End<TS>(X86Cpu c, byte* p, ulong value)
            where TS : struct, ISize => TS.StoreReg(p, value);
    }

    /// <summary>The memory operand.</summary>
    private struct M : IOperand
    {
        public static bool IsMemory => true;

        public static bool Load<TS>(X86Cpu c, DecodedOp* op, out ulong value)
            where TS : struct, ISize => c.TryRead<TS>(c.Ea(op), out value);

        public static bool Store<TS>(X86Cpu c, DecodedOp* op, ulong value)
            where TS : struct, ISize => c.TryWrite<TS>(c.Ea(op), value);

        public static byte* Begin<TS>(X86Cpu c, DecodedOp* op)
            where TS : struct, ISize => c.TryWritePointer<TS>(c.Ea(op));

        public static void End<TS>(X86Cpu c, byte* p, ulong value)
            where TS : struct, ISize => c.EndWrite<TS>(p, value);
    }

    /// <summary>A memory operand in flat 64-bit addressing: base + index * scale + displacement, no segment base.</summary>
    private struct MF : IOperand
    {
        public static bool IsMemory => true;

        public static bool Load<TS>(X86Cpu c, DecodedOp* op, out ulong value)
            where TS : struct, ISize => c.TryRead<TS>(FlatEa(c, op), out value);

        public static bool Store<TS>(X86Cpu c, DecodedOp* op, ulong value)
            where TS : struct, ISize => c.TryWrite<TS>(FlatEa(c, op), value);

        public static byte* Begin<TS>(X86Cpu c, DecodedOp* op)
            where TS : struct, ISize => c.TryWritePointer<TS>(FlatEa(c, op));

        public static void End<TS>(X86Cpu c, byte* p, ulong value)
            where TS : struct, ISize => c.EndWrite<TS>(p, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong FlatEa(X86Cpu c, DecodedOp* op)
        {
            var g = c._g;
            return op->Displacement + g[op->Base] + (g[op->Index] << op->Scale);
        }
    }

    /// <summary>The immediate (already masked or sign-extended to the operand size by the decoder).</summary>
    private struct I : IOperand
    {
        public static bool IsMemory => false;

        public static bool Load<TS>(X86Cpu c, DecodedOp* op, out ulong value)
            where TS : struct, ISize
        {
            value = op->Immediate;
            return true;
        }

        public static bool Store<TS>(X86Cpu c, DecodedOp* op, ulong value)
            where TS : struct, ISize => true;

        public static byte* Begin<TS>(X86Cpu c, DecodedOp* op)
            where TS : struct, ISize => null;

        public static void End<TS>(X86Cpu c, byte* p, ulong value)
            where TS : struct, ISize
        {
        }
    }

    /// <summary>The effective linear address of the memory operand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Ea(DecodedOp* op)
    {
        var g = _g;
        var a = (op->Displacement + g[op->Base] + (g[op->Index] << op->Scale)) & op->AddressMask;
        if (!WithinLimit(op->Segment, a))
        {
            return LimitViolation(op->Segment);
        }
        return (a + _segBase[op->Segment]) & _linearMask;
    }
}
