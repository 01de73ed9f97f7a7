using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ActorVisor.Cpu.Bench;

/// <summary>
/// Loads the static guest ELF into identity-mapped long-mode memory (64 MiB, 2 MiB pages), runs it at
/// CPL 0 until HLT (CR4.OSFXSR and OSXMMEXCPT set, so SSE code runs), and returns the time, the exact retired-instruction count and the checksum in RAX.
/// </summary>
public static unsafe class GuestRunner
{
    private const int MemoryBytes = 64 << 20;

    public static (double Seconds, long Retired, ulong Checksum) Run(byte[] elf)
    {
        var memory = new FlatMemory(MemoryBytes);
        try
        {
            var entry = Load(elf, memory);
            memory.Write64(0x1000, 0x2000 | 3);
            memory.Write64(0x2000, 0x3000 | 3);
            for (ulong i = 0; i < MemoryBytes >> 21; i++)
            {
                memory.Write64(0x3000 + (i * 8), (i << 21) | 0x83);
            }
            var cpu = new X86Cpu(memory, new BenchSink(), Console.Error.WriteLine);
            // PAE, OSFXSR and OSXMMEXCPT: SSE instructions are enabled, as a kernel that saves them does.
            cpu.SetControlRegister(4, 0x20 | 0x200 | 0x400);
            cpu.SetControlRegister(3, 0x1000);
            cpu.SetEfer(0x100 | 0x800 | 1);
            cpu.SetControlRegister(0, 0x80010033);
            cpu.SetSegment(1, SegmentState.Code64(0x08, 0));
            cpu.SetSegment(2, SegmentState.Data(0x10, 0));
            cpu.SetGpr(4, (ulong)MemoryBytes - 0x1000);
            cpu.Rip = entry;
            var stopwatch = Stopwatch.StartNew();
            long retired = 0;
            RunResult result;
            do
            {
                result = cpu.Run(50_000_000);
                retired += result.Retired;
            }
            while (result.Reason == StopReason.BudgetExhausted);
            var seconds = stopwatch.Elapsed.TotalSeconds;
            if (result.Reason != StopReason.Halted)
            {
                throw new InvalidOperationException($"guest stopped with {result.Reason} at {cpu.Rip:x} ({result.LastEvent})");
            }
            return (seconds, retired, cpu.GetGpr(0));
        }
        finally
        {
            memory.Dispose();
        }
    }

    private static ulong Load(byte[] elf, FlatMemory memory)
    {
        var span = elf.AsSpan();
        var entry = BinaryPrimitives.ReadUInt64LittleEndian(span[24..]);
        var phoff = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[54..]);
        var phnum = BinaryPrimitives.ReadUInt16LittleEndian(span[56..]);
        for (var i = 0; i < phnum; i++)
        {
            var ph = span[(phoff + (i * phentsize))..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 1)
            {
                continue;
            }
            var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
            var vaddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[16..]);
            var fileSize = (int)BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
            var memSize = (int)BinaryPrimitives.ReadUInt64LittleEndian(ph[40..]);
            memory.Span(vaddr, memSize).Clear();
            span.Slice(offset, fileSize).CopyTo(memory.Span(vaddr, fileSize));
        }
        return entry;
    }

    private sealed class FlatMemory(int bytes) : IPhysicalMemory, IDisposable
    {
        private readonly byte* _base = (byte*)NativeMemory.AllocZeroed((nuint)bytes);

        public byte* TryGetFrame(ulong frameNumber) => frameNumber < (ulong)(bytes >> 12) ? _base + (frameNumber << 12) : null;

        public Span<byte> Span(ulong address, int length) => new(_base + address, length);

        public void Write64(ulong address, ulong value) => *(ulong*)(_base + address) = value;

        public void Dispose() => NativeMemory.Free(_base);
    }

    private sealed class BenchSink : ICpuSink
    {
        public EventDisposition OnEvent(X86Cpu cpu, in CpuEvent cpuEvent) => cpuEvent.Kind == CpuEventKind.Exception ? EventDisposition.Stop : EventDisposition.Native;

        public CpuidResult Cpuid(uint leaf, uint subleaf) => default;

        public ulong ReadTsc() => 0;

        public bool TryReadMsr(uint index, out ulong value)
        {
            value = 0;
            return false;
        }

        public bool TryWriteMsr(uint index, ulong value) => false;

        public uint In(ushort port, int sizeBytes) => 0;

        public void Out(ushort port, int sizeBytes, uint value)
        {
        }
    }
}
