using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>IN/OUT at CPL 3 with IOPL 0 go through the TSS I/O permission bitmap (offset at TSS+0x66, a byte past the limit denies).</summary>
public sealed class IoBitmapTests
{
    private const ulong BitmapOffset = 0x68;

    private static Machine UserMachine(uint tssLimit, params ushort[] deniedPorts)
    {
        var m = new Machine();
        m.Cpu.SetTr(new SegmentState(Machine.TssSelector, Machine.Tss, tssLimit, 0x8B));
        m.Memory.Bytes(Machine.Tss + 0x66, 2)[0] = (byte)BitmapOffset;
        m.Memory.Bytes(Machine.Tss + BitmapOffset, 0x2000).Clear();
        foreach (var port in deniedPorts)
        {
            m.Memory.Bytes(Machine.Tss + BitmapOffset + (ulong)(port >> 3), 1)[0] |= (byte)(1 << (port & 7));
        }
        m.EnterUser();
        m.Cpu.Rflags = 0x2;
        return m;
    }

    private static RunResult RunOut(Machine m, ushort port, bool word = false)
    {
        m.Load(a =>
        {
            a.mov(dx, port);
            a.mov(eax, 0x1234);
            if (word)
            {
                a.@out(dx, ax);
            }
            else
            {
                a.@out(dx, al);
            }
            a.nop();
            a.mov(rax, __qword_ptr[0]);
        });
        return m.Cpu.Run(4);
    }

    [Fact]
    public void A_port_whose_bit_is_clear_is_allowed_at_CPL_3()
    {
        using var m = UserMachine(0x2067 + 0x100, 0x61);
        var r = RunOut(m, 0x60);
        Assert.Equal(StopReason.BudgetExhausted, r.Reason);
        Assert.Equal((ushort)0x60, Assert.Single(m.Sink.Outs).Port);
    }

    [Fact]
    public void A_port_whose_bit_is_set_is_GP_0_named_for_the_sink()
    {
        using var m = UserMachine(0x2067 + 0x100, 0x60);
        RunOut(m, 0x60);
        var e = Assert.Single(m.Sink.Events);
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(PrivilegedOperation.Out, e.Operation);
        Assert.Empty(m.Sink.Outs);
    }

    [Fact]
    public void A_word_access_is_denied_when_the_bit_of_its_second_port_is_set_across_a_byte_boundary()
    {
        using var m = UserMachine(0x2067 + 0x100, 0x68);
        RunOut(m, 0x67, word: true);
        Assert.Equal(ExceptionVector.GeneralProtection, Assert.Single(m.Sink.Events).Vector);
        Assert.Empty(m.Sink.Outs);
    }

    [Fact]
    public void A_bitmap_byte_beyond_the_TSS_limit_denies()
    {
        using var m = UserMachine((uint)(BitmapOffset + 0x10));
        RunOut(m, 0x100);
        Assert.Equal(ExceptionVector.GeneralProtection, Assert.Single(m.Sink.Events).Vector);
        Assert.Empty(m.Sink.Outs);

        using var inside = UserMachine((uint)(BitmapOffset + 0x10));
        RunOut(inside, 0x70);
        Assert.Single(inside.Sink.Outs);
    }

    [Fact]
    public void IOPL_3_skips_the_bitmap()
    {
        using var m = UserMachine(0x2067 + 0x100, 0x60);
        m.Cpu.Rflags = 0x3002;
        RunOut(m, 0x60);
        Assert.Single(m.Sink.Outs);
    }
}
