using Iced.Intel;

namespace ActorVisor.Cpu.Tests.Support;

/// <summary>
/// A small long-mode machine for tests: 4 MiB of memory identity-mapped (the first 2 MiB with 4 KiB
/// pages through one page table so tests can edit entries, the next 2 MiB as one large page), a GDT
/// with kernel and user segments, an IDT, a TSS, code at <see cref="CodeAddress"/>.
/// </summary>
public sealed class Machine : IDisposable
{
    public const ulong Pml4 = 0x1000;
    public const ulong Pdpt = 0x2000;
    public const ulong PageDirectory = 0x3000;
    public const ulong PageTable = 0x4000;
    public const ulong Gdt = 0x5000;
    public const ulong Idt = 0x6000;
    public const ulong Tss = 0x7000;
    public const ulong CodeAddress = 0x10000;
    public const ulong DataAddress = 0x20000;
    public const ulong StackTop = 0x80000;
    public const ushort KernelCs = 0x08;
    public const ushort KernelDs = 0x10;
    public const ushort UserDs = 0x1B;
    public const ushort UserCs = 0x23;
    public const ushort Code32Cs = 0x28;
    public const ushort TssSelector = 0x30;

    public Machine()
    {
        Memory = new TestMemory(1024);
        Sink = new TestSink();
        Cpu = new X86Cpu(Memory, Sink, line => Log.Add(line));
        Memory.Write64(Pml4, Pdpt | 7);
        Memory.Write64(Pdpt, PageDirectory | 7);
        Memory.Write64(PageDirectory, PageTable | 7);
        Memory.Write64(PageDirectory + 8, 0x200000 | 0x87);
        for (ulong i = 0; i < 512; i++)
        {
            Memory.Write64(PageTable + (i * 8), (i << 12) | 7);
        }
        Memory.Write64(Gdt + 0x08, 0x00AF9B000000FFFF);
        Memory.Write64(Gdt + 0x10, 0x00CF93000000FFFF);
        Memory.Write64(Gdt + 0x18, 0x00CFF3000000FFFF);
        Memory.Write64(Gdt + 0x20, 0x00AFFB000000FFFF);
        Memory.Write64(Gdt + 0x28, 0x00CF9B000000FFFF);
        Memory.Write64(Gdt + 0x30, 0x0000890000000067 | ((Tss & 0xFFFFFF) << 16));
        Memory.Write64(Gdt + 0x38, 0);
        Memory.Bytes(Tss + 0x66, 2)[0] = 0x68; // I/O map base past the limit: no I/O bitmap

        Configure(Cpu);
        EnterKernel();
    }

    /// <summary>A second CPU on the same memory, configured like the first (long mode, CPL 0), with its own sink.</summary>
    public X86Cpu AddCpu(TestSink sink)
    {
        var cpu = new X86Cpu(Memory, sink);
        Configure(cpu);
        cpu.SetSegment(1, SegmentState.Code64(KernelCs, 0));
        cpu.SetSegment(2, SegmentState.Data(KernelDs, 0));
        return cpu;
    }

    private static void Configure(X86Cpu cpu)
    {
        cpu.SetControlRegister(4, 0x20 | 0x80 | 0x200 | 0x400);
        cpu.SetControlRegister(3, Pml4);
        cpu.SetEfer(0x100 | 0x800 | 1);
        cpu.SetControlRegister(0, 0x80010033);
        cpu.SetGdtr(new TableRegister(Gdt, 0x3F));
        cpu.SetIdtr(new TableRegister(Idt, 0xFFF));
        cpu.SetTr(new SegmentState(TssSelector, Tss, 0x67, 0x8B));
    }

    public TestMemory Memory { get; }

    public TestSink Sink { get; }

    public X86Cpu Cpu { get; }

    public List<string> Log { get; } = [];

    /// <summary>Loads flat 64-bit kernel segments (CPL 0) and the kernel stack.</summary>
    public void EnterKernel()
    {
        Cpu.SetSegment(1, SegmentState.Code64(KernelCs, 0));
        foreach (var i in new[] { 0, 2, 3 })
        {
            Cpu.SetSegment(i, SegmentState.Data(KernelDs, 0));
        }
        Cpu.SetGpr(4, StackTop);
    }

    /// <summary>Loads flat 64-bit user segments (CPL 3).</summary>
    public void EnterUser()
    {
        Cpu.SetSegment(1, SegmentState.Code64(UserCs, 3));
        foreach (var i in new[] { 0, 2, 3 })
        {
            Cpu.SetSegment(i, SegmentState.Data(UserDs, 3));
        }
        Cpu.SetGpr(4, StackTop - 0x1000);
    }

    /// <summary>Assembles code at <paramref name="address"/>, writes it to memory and points RIP at it.</summary>
    public byte[] Load(Action<Assembler> build, ulong address = CodeAddress)
    {
        var assembler = new Assembler(64);
        build(assembler);
        using var stream = new MemoryStream();
        assembler.Assemble(new StreamCodeWriter(stream), address);
        var bytes = stream.ToArray();
        bytes.CopyTo(Memory.Bytes(address, bytes.Length));
        Cpu.InvalidateCodeFrame(address >> 12);
        Cpu.Rip = address;
        Cpu.Halted = false;
        return bytes;
    }

    /// <summary>Writes a 64-bit interrupt gate for <paramref name="vector"/> with the given DPL and IST.</summary>
    public void SetGate(int vector, ulong handler, int dpl = 0, int ist = 0, bool trap = false)
    {
        var low = (handler & 0xFFFF) | ((ulong)KernelCs << 16) | ((ulong)ist << 32) | ((trap ? 0xFUL : 0xEUL) << 40) | ((ulong)dpl << 45) | (1UL << 47) | ((handler & 0xFFFF0000) << 32);
        Memory.Write64(Idt + (ulong)(vector * 16), low);
        Memory.Write64(Idt + (ulong)(vector * 16) + 8, handler >> 32);
    }

    public void Dispose() => Memory.Dispose();
}
