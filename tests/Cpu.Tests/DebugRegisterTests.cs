using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>DR0-DR7 breakpoints, single step and #DB delivery through the sink.</summary>
public sealed class DebugRegisterTests
{
    private const ulong Data = Machine.DataAddress;

    private static (Machine Machine, byte[] Code) Load(Action<Assembler> build)
    {
        var m = new Machine();
        var code = m.Load(a =>
        {
            build(a);
            a.hlt();
        });
        return (m, code);
    }

    private static ulong Enable(int index, int type, int length)
    {
        var lengthBits = length switch { 1 => 0, 2 => 1, 8 => 2, _ => 3 };
        return (1UL << (2 * index)) | ((ulong)type << (16 + (4 * index))) | ((ulong)lengthBits << (18 + (4 * index)));
    }

    [Fact]
    public void An_instruction_breakpoint_faults_before_the_instruction_and_RF_lets_it_run_once()
    {
        var (m, _) = Load(a =>
        {
            a.mov(eax, 1);
            a.mov(ebx, 2);
            a.mov(ecx, 3);
        });
        using var _ = m;
        var target = Machine.CodeAddress + 5;
        m.Cpu.SetDebugRegister(1, target);
        m.Cpu.SetDebugRegister(7, Enable(1, 0, 1));
        var r = m.Cpu.Run(100);
        Assert.Equal(StopReason.SinkRequested, r.Reason);
        Assert.Equal(ExceptionVector.Debug, Assert.Single(m.Sink.Events).Vector);
        Assert.Equal(target, m.Cpu.Rip);
        Assert.Equal(1UL, m.Cpu.GetGpr(0));
        Assert.Equal(0UL, m.Cpu.GetGpr(3));
        Assert.Equal(0x2UL, m.Cpu.GetDebugRegister(6) & 0xF);

        m.Sink.Events.Clear();
        m.Cpu.Rflags |= 1UL << 16;
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(2UL, m.Cpu.GetGpr(3));
        Assert.Equal(3UL, m.Cpu.GetGpr(1));
        Assert.Equal(0UL, m.Cpu.Rflags & (1UL << 16));
    }

    [Theory]
    [InlineData(1, 1, 0, true)]
    [InlineData(1, 1, 3, false)]
    [InlineData(1, 2, 1, true)]
    [InlineData(1, 4, 0, true)]
    [InlineData(1, 8, 4, true)]
    [InlineData(1, 4, 4, false)]
    [InlineData(3, 2, 1, true)]
    public void A_data_breakpoint_traps_after_a_write_that_touches_its_range(int type, int length, int offset, bool fires)
    {
        var (m, code) = Load(a =>
        {
            a.mov(__dword_ptr[Data + (ulong)offset], eax);
            a.mov(ebx, 7);
        });
        using var _ = m;
        m.Cpu.SetDebugRegister(2, Data);
        m.Cpu.SetDebugRegister(7, Enable(2, type, length));
        var r = m.Cpu.Run(100);
        if (!fires)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            Assert.DoesNotContain(m.Sink.Events, e => e.Kind == CpuEventKind.Exception);
            return;
        }
        Assert.Equal(StopReason.SinkRequested, r.Reason);
        Assert.Equal(ExceptionVector.Debug, Assert.Single(m.Sink.Events).Vector);
        Assert.Equal(0x4UL, m.Cpu.GetDebugRegister(6) & 0xF);
        Assert.Equal(Machine.CodeAddress + (ulong)(code.Length - 6), m.Cpu.Rip);
        Assert.Equal(0UL, m.Cpu.GetGpr(3));
    }

    [Fact]
    public void A_write_breakpoint_ignores_reads_and_a_read_write_breakpoint_catches_them()
    {
        foreach (var (type, fires) in new[] { (1, false), (3, true) })
        {
            var (m, _) = Load(a => a.mov(rax, __qword_ptr[Data]));
            using var _ = m;
            m.Cpu.SetDebugRegister(0, Data + 4);
            m.Cpu.SetDebugRegister(7, Enable(0, type, 4));
            m.Cpu.Run(100);
            Assert.Equal(fires, m.Sink.Events.Any(e => e.Vector == ExceptionVector.Debug));
        }
    }

    [Fact]
    public void Single_step_traps_after_HLT_with_RIP_past_it_and_BS_set()
    {
        var (m, code) = Load(a => a.nop());
        using var _ = m;
        m.Cpu.Rflags |= 1UL << 8;
        m.Cpu.Run(1);
        m.Sink.Events.Clear();
        var r = m.Cpu.Run(1);
        var e = Assert.Single(m.Sink.Events, e => e.Kind == CpuEventKind.Exception);
        Assert.Equal(ExceptionVector.Debug, e.Vector);
        Assert.Equal(Machine.CodeAddress + (ulong)code.Length, m.Cpu.Rip);
        Assert.NotEqual(0UL, m.Cpu.GetDebugRegister(6) & (1UL << 14));
        Assert.Equal(StopReason.SinkRequested, r.Reason);
        Assert.True(m.Cpu.Halted);
    }

    [Fact]
    public void DR4_and_DR5_alias_DR6_and_DR7_unless_CR4_DE_and_GD_faults_the_next_access_with_BD()
    {
        var (m, _) = Load(a =>
        {
            a.mov(rax, 0x1UL);
            a.mov(dr5, rax);
            a.mov(rbx, dr7);
        });
        using var _ = m;
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(0x401UL, m.Cpu.GetGpr(3));

        using var de = new Machine();
        de.Cpu.SetControlRegister(4, de.Cpu.Capture().Cr4 | 8);
        de.Load(a => a.mov(rax, dr4));
        de.Cpu.Run(10);
        Assert.Equal(ExceptionVector.InvalidOpcode, Assert.Single(de.Sink.Events).Vector);

        using var gd = new Machine();
        gd.Cpu.SetDebugRegister(7, 1UL << 13);
        gd.Load(a => a.mov(rax, dr0));
        gd.Cpu.Run(10);
        Assert.Equal(ExceptionVector.Debug, Assert.Single(gd.Sink.Events).Vector);
        Assert.Equal(Machine.CodeAddress, gd.Cpu.Rip);
        Assert.NotEqual(0UL, gd.Cpu.GetDebugRegister(6) & (1UL << 13));
        Assert.Equal(0UL, gd.Cpu.GetDebugRegister(7) & (1UL << 13));
    }

    [Fact]
    public void A_single_step_trap_after_HLT_delivered_through_the_IDT_wakes_the_processor()
    {
        var (m, code) = Load(_ => { });
        using var _ = m;
        const ulong Handler = Machine.CodeAddress + 0x800;
        m.SetGate(ExceptionVector.Debug, Handler);
        m.Memory.Bytes(Handler, 1)[0] = 0x90;
        m.Sink.Decide = (_, _) => EventDisposition.Native;
        m.Cpu.Rflags |= 1UL << 8;
        var r = m.Cpu.Run(2);
        Assert.Equal(StopReason.BudgetExhausted, r.Reason);
        Assert.False(m.Cpu.Halted);
        Assert.Equal(Handler + 1, m.Cpu.Rip);
        Assert.Equal(Machine.CodeAddress + (ulong)code.Length, m.Memory.Read64(Machine.StackTop - 40));
    }
}
