using ActorVisor.Cpu.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>Segment limits in 32-bit protected mode: data (#GP(0)), stack and expand-down stack (#SS(0)), code fetch (#GP(0)).</summary>
public sealed class SegmentLimitTests
{
    private const ushort DataSelector = 0x10;

    /// <summary>A machine in 32-bit protected mode with PAE paging, flat CS, and DS/SS as given.</summary>
    private static Machine Protected32(SegmentState ds, SegmentState ss, Action<Iced.Intel.Assembler> build, out ulong faultRip, Action<Iced.Intel.Assembler> before)
    {
        var m = new Machine();
        const ulong Pdpt = 0x8000;
        const ulong Pd = 0x9000;
        m.Memory.Write64(Pdpt, Pd | 1);
        m.Memory.Write64(Pd, Machine.PageTable | 7);
        m.Cpu.SetControlRegister(0, 0x33);
        m.Cpu.SetEfer(0);
        m.Cpu.SetControlRegister(4, 0x20);
        m.Cpu.SetControlRegister(3, Pdpt);
        m.Cpu.SetControlRegister(0, 0x80010033);
        m.Cpu.SetSegment(1, SegmentState.Code32(Machine.Code32Cs, 0));
        m.Cpu.SetSegment(0, SegmentState.Data(DataSelector, 0));
        m.Cpu.SetSegment(3, ds);
        m.Cpu.SetSegment(2, ss);
        var prefix = new Iced.Intel.Assembler(32);
        before(prefix);
        using var prefixStream = new MemoryStream();
        prefix.Assemble(new Iced.Intel.StreamCodeWriter(prefixStream), Machine.CodeAddress);
        faultRip = Machine.CodeAddress + (ulong)prefixStream.Length;
        var assembler = new Iced.Intel.Assembler(32);
        before(assembler);
        build(assembler);
        assembler.hlt();
        using var stream = new MemoryStream();
        assembler.Assemble(new Iced.Intel.StreamCodeWriter(stream), Machine.CodeAddress);
        stream.ToArray().CopyTo(m.Memory.Bytes(Machine.CodeAddress, (int)stream.Length));
        m.Cpu.InvalidateCodeFrame(Machine.CodeAddress >> 12);
        m.Cpu.SetGpr(4, 0x7F000);
        m.Cpu.Rip = Machine.CodeAddress;
        return m;
    }

    private static SegmentState Limited(uint limit, bool expandDown = false) =>
        new(DataSelector, 0, limit, (ushort)(0x4093 | (expandDown ? 0x4 : 0)));

    [Theory]
    [InlineData(0x2FFF0u, true)]
    [InlineData(0x30000u, false)]
    public void A_data_access_past_the_DS_limit_is_GP_0(uint address, bool allowed)
    {
        using var m = Protected32(Limited(0x2FFFF), SegmentState.Data(DataSelector, 0), a => a.mov(eax, __dword_ptr[ebx]), out var rip, a => a.mov(ebx, address));
        var r = m.Cpu.Run(10);
        if (allowed)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            return;
        }
        var e = Assert.Single(m.Sink.Events);
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(rip, m.Cpu.Rip);
    }

    [Fact]
    public void A_push_below_an_expand_down_stack_segment_limit_is_SS_0_and_above_it_is_allowed()
    {
        using var m = Protected32(SegmentState.Data(DataSelector, 0), Limited(0x7E000, expandDown: true), a => a.push(eax), out var rip, a => a.mov(esp, 0x7E002));
        var r = m.Cpu.Run(10);
        var e = Assert.Single(m.Sink.Events);
        Assert.Equal(ExceptionVector.StackFault, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(rip, m.Cpu.Rip);
        Assert.Equal(0x7E002UL, m.Cpu.GetGpr(4));

        using var ok = Protected32(SegmentState.Data(DataSelector, 0), Limited(0x7E000, expandDown: true), a => a.push(eax), out _, a => a.mov(esp, 0x7E008));
        Assert.Equal(StopReason.Halted, ok.Cpu.Run(10).Reason);
        Assert.Equal(0x7E004UL, ok.Cpu.GetGpr(4));
    }

    [Fact]
    public void An_EBP_based_access_past_the_SS_limit_is_SS_0()
    {
        using var m = Protected32(SegmentState.Data(DataSelector, 0), Limited(0x7FFFF), a => a.mov(eax, __dword_ptr[ebp]), out var rip, a => a.mov(ebp, 0x80000));
        m.Cpu.Run(10);
        Assert.Equal(ExceptionVector.StackFault, Assert.Single(m.Sink.Events).Vector);
        Assert.Equal(rip, m.Cpu.Rip);
    }

    [Fact]
    public void Fetching_past_the_CS_limit_is_GP_0()
    {
        using var m = Protected32(SegmentState.Data(DataSelector, 0), SegmentState.Data(DataSelector, 0), a => a.nop(), out _, _ => { });
        m.Cpu.SetSegment(1, new SegmentState(Machine.Code32Cs, 0, (uint)Machine.CodeAddress, 0x409B));
        m.Cpu.Run(10);
        var e = Assert.Single(m.Sink.Events);
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(Machine.CodeAddress + 1, m.Cpu.Rip);
    }
}
