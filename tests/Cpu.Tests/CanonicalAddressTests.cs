using ActorVisor.Cpu.Tests.Support;
using Iced.Intel;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>Non-canonical linear addresses in 64-bit mode: #GP(0) for data and branch targets, #SS(0) for stack references, RIP at the faulting instruction.</summary>
public sealed class CanonicalAddressTests
{
    private const ulong NonCanonical = 0x0000800000000000;

    private static (Machine Machine, ulong FaultRip, CpuEvent Event) Run(Action<Assembler> before, Action<Assembler> faulting, Action<Machine>? prepare = null)
    {
        var m = new Machine();
        prepare?.Invoke(m);
        var prefix = new Assembler(64);
        before(prefix);
        using var stream = new MemoryStream();
        prefix.Assemble(new StreamCodeWriter(stream), Machine.CodeAddress);
        var faultRip = Machine.CodeAddress + (ulong)stream.Length;
        m.Load(a =>
        {
            before(a);
            faulting(a);
            a.hlt();
        });
        var r = m.Cpu.Run(100);
        Assert.Equal(StopReason.SinkRequested, r.Reason);
        return (m, faultRip, Assert.Single(m.Sink.Events));
    }

    [Fact]
    public void A_data_load_through_a_non_canonical_address_is_GP_0_at_the_instruction()
    {
        var (m, rip, e) = Run(a => a.mov(rbx, NonCanonical), a => a.mov(rax, __qword_ptr[rbx + 8]));
        using var _ = m;
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(rip, m.Cpu.Rip);
    }

    [Fact]
    public void A_store_to_the_top_of_the_lower_half_crossing_into_the_hole_is_GP_0()
    {
        var (m, rip, e) = Run(a => a.mov(rbx, NonCanonical - 4), a => a.mov(__qword_ptr[rbx], rax));
        using var _ = m;
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(rip, m.Cpu.Rip);
    }

    [Fact]
    public void An_RBP_based_operand_through_a_non_canonical_address_is_SS_0()
    {
        var (m, rip, e) = Run(a => a.mov(rbp, 0xFFFF000000000000), a => a.mov(rax, __qword_ptr[rbp + 16]));
        using var _ = m;
        Assert.Equal(ExceptionVector.StackFault, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(rip, m.Cpu.Rip);
    }

    [Fact]
    public void A_push_with_a_non_canonical_RSP_is_SS_0_and_leaves_RSP()
    {
        var (m, rip, e) = Run(a => a.mov(rsp, NonCanonical + 8), a => a.push(rax));
        using var _ = m;
        Assert.Equal(ExceptionVector.StackFault, e.Vector);
        Assert.Equal(rip, m.Cpu.Rip);
        Assert.Equal(NonCanonical + 8, m.Cpu.GetGpr(4));
    }

    [Fact]
    public void An_indirect_jump_to_a_non_canonical_RIP_faults_on_the_jump_itself()
    {
        var (m, rip, e) = Run(a => a.mov(rax, NonCanonical), a => a.jmp(rax));
        using var _ = m;
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(rip, m.Cpu.Rip);
    }

    [Fact]
    public void A_ret_to_a_non_canonical_address_faults_on_the_ret_with_RSP_unchanged()
    {
        var (m, rip, e) = Run(
            a =>
            {
                a.mov(rax, NonCanonical);
                a.push(rax);
            },
            a => a.ret());
        using var _ = m;
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(rip, m.Cpu.Rip);
        Assert.Equal(Machine.StackTop - 8, m.Cpu.GetGpr(4));
    }

    [Fact]
    public void An_indirect_call_to_a_non_canonical_RIP_pushes_nothing()
    {
        var (m, rip, e) = Run(a => a.mov(rax, 0x1234_0000_0000_0000), a => a.call(rax));
        using var _ = m;
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(rip, m.Cpu.Rip);
        Assert.Equal(Machine.StackTop, m.Cpu.GetGpr(4));
    }

    [Theory]
    [InlineData("jmp", true)]
    [InlineData("call", true)]
    [InlineData("jne", false)]
    [InlineData("je", true)]
    public void A_direct_branch_from_the_top_of_the_lower_half_to_a_non_canonical_target_faults_on_the_branch(string branch, bool faults)
    {
        // Maps the last page of the lower half (0x7FFF_FFFF_F000) to physical 0x3F3000 through new tables.
        using var m = new Machine();
        const ulong Pdpt = 0x3F0000, Pd = 0x3F1000, Pt = 0x3F2000, Page = 0x3F3000;
        m.Memory.Write64(Machine.Pml4 + (255 * 8), Pdpt | 7);
        m.Memory.Write64(Pdpt + (511 * 8), Pd | 7);
        m.Memory.Write64(Pd + (511 * 8), Pt | 7);
        m.Memory.Write64(Pt + (511 * 8), Page | 7);
        const ulong Start = 0x7FFF_FFFF_FF00;
        var a = new Assembler(64);
        a.cmp(eax, eax);
        var branchAt = 2UL;
        switch (branch)
        {
            case "jmp":
                a.jmp(0x8000_0000_0100);
                break;
            case "call":
                a.call(0x8000_0000_0100);
                break;
            case "jne":
                a.jne(0x8000_0000_0100);
                break;
            default:
                a.je(0x8000_0000_0100);
                break;
        }
        a.hlt();
        using var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), Start);
        stream.ToArray().CopyTo(m.Memory.Bytes(Page + 0xF00, (int)stream.Length));
        m.Cpu.Rip = Start;
        var r = m.Cpu.Run(10);
        if (!faults)
        {
            Assert.Equal(StopReason.Halted, r.Reason);
            return;
        }
        var e = Assert.Single(m.Sink.Events);
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(Start + branchAt, m.Cpu.Rip);
        Assert.Equal(Machine.StackTop, m.Cpu.GetGpr(4));
    }
}
