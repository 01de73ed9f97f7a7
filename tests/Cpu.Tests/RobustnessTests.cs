using ActorVisor.Cpu.Tests.Support;
using Xunit;

namespace ActorVisor.Cpu.Tests;

/// <summary>Whatever bytes a guest executes, the CPU answers with events and stop reasons, never a .NET exception.</summary>
public sealed class RobustnessTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 2)]
    public void Random_instruction_bytes_never_throw(int cpl, int seed)
    {
        using var m = new Machine();
        if (cpl == 3)
        {
            m.EnterUser();
        }
        m.Sink.Decide = (_, _) => EventDisposition.Stop;
        var random = new Random(seed);
        var bytes = new byte[32];
        var stops = new Dictionary<StopReason, int>();
        for (var i = 0; i < 20000; i++)
        {
            random.NextBytes(bytes);
            bytes.CopyTo(m.Memory.Bytes(Machine.CodeAddress, bytes.Length));
            m.Cpu.InvalidateCodeFrame(Machine.CodeAddress >> 12);
            for (var r = 0; r < 16; r++)
            {
                m.Cpu.SetGpr(r, (ulong)random.Next(0, 0x3F0000) & ~7UL);
            }
            m.Cpu.SetGpr(4, cpl == 3 ? Machine.StackTop - 0x1000 : Machine.StackTop);
            m.Cpu.Rip = Machine.CodeAddress;
            m.Cpu.Halted = false;
            var result = m.Cpu.Run(4);
            stops[result.Reason] = stops.GetValueOrDefault(result.Reason) + 1;
            if (cpl == 0)
            {
                m.EnterKernel();
            }
            else
            {
                m.EnterUser();
            }
            m.Cpu.SetEfer(0x100 | 0x800 | 1);
            m.Cpu.SetControlRegister(4, 0x20 | 0x80 | 0x200 | 0x400);
            m.Cpu.SetControlRegister(3, Machine.Pml4);
            m.Cpu.SetControlRegister(0, 0x80010033);
            m.Cpu.SetGdtr(new TableRegister(Machine.Gdt, 0x3F));
            m.Cpu.SetIdtr(new TableRegister(Machine.Idt, 0xFFF));
            m.Cpu.Rflags = 2;
        }
        Assert.True(stops.GetValueOrDefault(StopReason.SinkRequested) > 1000);
    }
}
