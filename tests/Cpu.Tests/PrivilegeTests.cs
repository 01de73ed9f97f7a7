using ActorVisor.Cpu.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>Privileged instructions at the wrong CPL or IOPL raise #GP(0) naming the operation, so a PV sink can emulate them.</summary>
public sealed class PrivilegeTests
{
    private static CpuEvent RunInUser(Action<Iced.Intel.Assembler> code)
    {
        using var m = new Machine();
        m.EnterUser();
        m.Load(code);
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.SinkRequested, result.Reason);
        Assert.Equal(Machine.CodeAddress, m.Cpu.Rip);
        return m.Sink.Events.Single();
    }

    [Fact]
    public void Hlt_at_CPL3_is_GP0_naming_HLT()
    {
        var e = RunInUser(a => a.hlt());
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(PrivilegedOperation.Hlt, e.Operation);
        Assert.Equal(1, e.InstructionLength);
    }

    [Fact]
    public void Mov_to_CR3_at_CPL3_names_the_register_operands()
    {
        var e = RunInUser(a => a.mov(cr3, r9));
        Assert.Equal(PrivilegedOperation.MovToCr, e.Operation);
        Assert.Equal(9, e.Register);
        Assert.Equal(3, e.ControlRegister);
    }

    [Fact]
    public void Mov_from_CR2_at_CPL3_names_the_destination()
    {
        var e = RunInUser(a => a.mov(rdx, cr2));
        Assert.Equal(PrivilegedOperation.MovFromCr, e.Operation);
        Assert.Equal(2, e.Register);
        Assert.Equal(2, e.ControlRegister);
    }

    [Theory]
    [InlineData("wrmsr", PrivilegedOperation.Wrmsr)]
    [InlineData("rdmsr", PrivilegedOperation.Rdmsr)]
    [InlineData("cli", PrivilegedOperation.Cli)]
    [InlineData("sti", PrivilegedOperation.Sti)]
    [InlineData("in", PrivilegedOperation.In)]
    [InlineData("out", PrivilegedOperation.Out)]
    [InlineData("lgdt", PrivilegedOperation.Lgdt)]
    [InlineData("invlpg", PrivilegedOperation.Invlpg)]
    [InlineData("swapgs", PrivilegedOperation.Swapgs)]
    [InlineData("wbinvd", PrivilegedOperation.Wbinvd)]
    [InlineData("clts", PrivilegedOperation.Clts)]
    public void Privileged_instruction_at_CPL3_is_GP0(string name, PrivilegedOperation expected)
    {
        var e = RunInUser(a =>
        {
            switch (name)
            {
                case "wrmsr": a.wrmsr(); break;
                case "rdmsr": a.rdmsr(); break;
                case "cli": a.cli(); break;
                case "sti": a.sti(); break;
                case "in": a.@in(al, dx); break;
                case "out": a.@out(0x80, al); break;
                case "lgdt": a.lgdt(__[rax]); break;
                case "invlpg": a.invlpg(__[rax]); break;
                case "swapgs": a.swapgs(); break;
                case "wbinvd": a.wbinvd(); break;
                default: a.clts(); break;
            }
        });
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(expected, e.Operation);
    }

    [Fact]
    public void IOPL_3_lets_CPL3_use_port_io_and_cli()
    {
        using var m = new Machine();
        m.EnterUser();
        m.Cpu.Rflags = 0x3202;
        m.Load(a =>
        {
            a.mov(al, 0x41);
            a.@out(0xE9, al);
            a.cli();
            a.@in(eax, dx);
            a.hlt();
        });
        m.Cpu.SetGpr(2, 0x60);
        m.Cpu.Run(100);
        Assert.Equal([(0xE9, 1, 0x41u)], m.Sink.Outs);
        Assert.Equal(0x12345678UL, m.Cpu.GetGpr(0));
        Assert.Equal(0UL, m.Cpu.Rflags & (1UL << 9));
        Assert.Equal(PrivilegedOperation.Hlt, m.Sink.Events.Single().Operation);
    }

    [Fact]
    public void Rdtsc_at_CPL3_faults_only_with_CR4_TSD()
    {
        using var m = new Machine();
        m.EnterUser();
        m.Sink.Tsc = 0x1_0000_0005;
        m.Load(a =>
        {
            a.rdtsc();
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(5UL, m.Cpu.GetGpr(0));
        Assert.Equal(1UL, m.Cpu.GetGpr(2));
        m.Cpu.SetControlRegister(4, m.Cpu.Cr4 | 4);
        m.Sink.Events.Clear();
        m.Load(a => a.rdtsc());
        m.Cpu.Run(100);
        Assert.Equal(PrivilegedOperation.Rdtsc, m.Sink.Events.Single().Operation);
    }

    [Fact]
    public void Popf_at_CPL3_keeps_IF_and_IOPL()
    {
        using var m = new Machine();
        m.EnterUser();
        m.Cpu.Rflags = 0x202;
        m.Load(a =>
        {
            a.push(0x3001);
            a.popfq();
            a.pushfq();
            a.pop(rbx);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(0x203UL, m.Cpu.GetGpr(3));
    }
}
