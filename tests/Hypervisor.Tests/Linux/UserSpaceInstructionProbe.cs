using System.Runtime.InteropServices;
using ActorVisor.Cpu;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// Asks the CPU, before any boot, whether it executes the first SSE forms Debian's busybox-static
/// runs (an SSE2 packed-integer unpack and an SSE load of a high half), each alone at CPL 0 in
/// identity-mapped long mode. Without them busybox dies of #UD as Linux's first user process
/// (issue #10, item 1); <see cref="UserSpaceInstructionProbeTests"/> fails naming the form, in a
/// fraction of a second, before the Debian user-space tests fail at the end of a boot.
/// </summary>
internal static unsafe class UserSpaceInstructionProbe
{
    private const int MemoryBytes = 4 << 20;
    private const ulong CodeAddress = 0x10_0000;

    /// <summary>The probed forms: their bytes (each followed by HLT) and what they are.</summary>
    private static readonly (byte[] Code, string Name)[] Forms =
    [
        ([0x66, 0x0F, 0x62, 0xC2], "punpckldq %xmm2,%xmm0 (SSE2 packed integer)"),
        ([0x0F, 0x16, 0x44, 0x24, 0x08], "movhps 8(%rsp),%xmm0 (SSE data movement)"),
    ];

    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>The first probed form the CPU does not execute, or null when it executes them all.</summary>
    public static string? FirstMissing => Missing.Value;

    private static string? FindMissing()
    {
        foreach (var (code, name) in Forms)
        {
            if (!Executes(code))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="code"/>, then HLT, runs to the HLT without an exception.</summary>
    public static bool Executes(byte[] code)
    {
        using var memory = new FlatMemory(MemoryBytes);
        memory.Write64(0x1000, 0x2000 | 3);
        memory.Write64(0x2000, 0x3000 | 3);
        for (ulong page = 0; page < MemoryBytes >> 21; page++)
        {
            memory.Write64(0x3000 + (page * 8), (page << 21) | 0x83); // every 2 MiB of the memory, the stack's included
        }

        var bytes = memory.Span(CodeAddress, code.Length + 1);
        code.CopyTo(bytes);
        bytes[^1] = 0xF4;
        var cpu = new X86Cpu(memory, new StopOnEvents());
        cpu.SetControlRegister(4, 0x20 | 0x200 | 0x400);
        cpu.SetControlRegister(3, 0x1000);
        cpu.SetEfer(0x100 | 0x800 | 1);
        cpu.SetControlRegister(0, 0x80010033);
        cpu.SetSegment(1, SegmentState.Code64(0x08, 0));
        cpu.SetSegment(2, SegmentState.Data(0x10, 0));
        cpu.SetGpr(4, MemoryBytes - 0x1000);
        cpu.Rip = CodeAddress;
        return cpu.Run(16).Reason == StopReason.Halted;
    }

    private sealed class FlatMemory(int bytes) : IPhysicalMemory, IDisposable
    {
        private readonly byte* _base = (byte*)NativeMemory.AllocZeroed((nuint)bytes);

        public byte* TryGetFrame(ulong frameNumber) => frameNumber < (ulong)(bytes >> 12) ? _base + (frameNumber << 12) : null;

        public Span<byte> Span(ulong address, int length) => new(_base + address, length);

        public void Write64(ulong address, ulong value) => *(ulong*)(_base + address) = value;

        public void Dispose() => NativeMemory.Free(_base);
    }

    /// <summary>Every exception (#UD for an unimplemented form) stops the probe.</summary>
    private sealed class StopOnEvents : ICpuSink
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
