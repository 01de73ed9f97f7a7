using ActorVisor.Cpu.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>Mode and privilege transitions: SYSCALL/SYSRET, INT/IRET through the IDT, exceptions delivered natively, the sink's interception.</summary>
public sealed class TransitionTests
{
    private const ulong Handler = 0x40000;

    [Fact]
    public void Syscall_offered_to_the_sink_can_be_handled_as_a_hypercall()
    {
        using var m = new Machine();
        m.EnterUser();
        m.Sink.Decide = (cpu, e) =>
        {
            if (e.Kind != CpuEventKind.Syscall)
            {
                return EventDisposition.Stop;
            }
            cpu.SetGpr(0, unchecked((ulong)-38L));
            cpu.Rip += (ulong)e.InstructionLength;
            return EventDisposition.Handled;
        };
        m.Load(a =>
        {
            a.mov(eax, 17);
            a.syscall();
            a.mov(rbx, rax);
            a.hlt();
        });
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.SinkRequested, result.Reason);
        Assert.Equal(unchecked((ulong)-38L), m.Cpu.GetGpr(3));
        Assert.Equal(CpuEventKind.Syscall, m.Sink.Events[0].Kind);
        Assert.Equal(3L, result.Retired);
    }

    [Fact]
    public void Native_syscall_and_sysret_switch_privilege_and_save_rip_and_flags()
    {
        using var m = new Machine();
        m.Cpu.TryWriteMsr(0xC0000081, ((ulong)0x13 << 48) | ((ulong)Machine.KernelCs << 32));
        m.Cpu.TryWriteMsr(0xC0000082, Handler);
        m.Cpu.TryWriteMsr(0xC0000084, 0x200);
        m.Load(a =>
        {
            a.mov(r8, rcx);
            a.mov(r9, r11);
            a.sysretq();
        }, Handler);
        m.EnterUser();
        m.Cpu.Rflags = 0x202;
        m.Load(a =>
        {
            a.syscall();
            a.mov(r10, 1);
            a.hlt();
        });
        var result = m.Cpu.Run(100);
        Assert.Equal(Machine.CodeAddress + 2, m.Cpu.GetGpr(8));
        Assert.Equal(0x202UL, m.Cpu.GetGpr(9) & 0xFFF);
        Assert.Equal(1UL, m.Cpu.GetGpr(10));
        Assert.Equal(3, m.Cpu.Cpl);
        Assert.Equal((ushort)0x23, m.Cpu.GetSegment(1).Selector);
        Assert.Equal(PrivilegedOperation.Hlt, m.Sink.Events[^1].Operation);
        Assert.Equal(StopReason.SinkRequested, result.Reason);
    }

    [Fact]
    public void Page_fault_delivered_natively_pushes_error_code_sets_CR2_and_iretq_returns()
    {
        using var m = new Machine();
        m.Sink.Decide = (_, _) => EventDisposition.Native;
        m.SetGate(14, Handler);
        m.Memory.Write64(Machine.PageTable + (0x30 * 8), 0);
        m.Load(a =>
        {
            a.pop(r12);
            a.mov(r13, cr2);
            a.mov(rax, 0x30000 | 7);
            a.mov(__qword_ptr[Machine.PageTable + (0x30 * 8)], rax);
            a.invlpg(__[r13]);
            a.iretq();
        }, Handler);
        m.Load(a =>
        {
            a.mov(rbx, __qword_ptr[0x30010]);
            a.hlt();
        });
        m.Memory.Write64(0x30010, 99);
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.Halted, result.Reason);
        Assert.Equal(0UL, m.Cpu.GetGpr(12));
        Assert.Equal(0x30010UL, m.Cpu.GetGpr(13));
        Assert.Equal(99UL, m.Cpu.GetGpr(3));
        Assert.Equal(Machine.StackTop, m.Cpu.GetGpr(4));
    }

    [Fact]
    public void Int_n_from_user_switches_to_the_TSS_stack_and_iretq_returns_to_user()
    {
        using var m = new Machine();
        m.Memory.Write64(Machine.Tss + 4, 0x70000);
        m.SetGate(0x80, Handler, dpl: 3);
        m.Load(a =>
        {
            a.mov(r14, rsp);
            a.mov(r15, __qword_ptr[rsp + 8]);
            a.iretq();
        }, Handler);
        m.EnterUser();
        var userStack = m.Cpu.GetGpr(4);
        m.Load(a =>
        {
            a.@int(0x80);
            a.mov(rbx, 7);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(0x70000UL - 40, m.Cpu.GetGpr(14));
        Assert.Equal((ulong)Machine.UserCs, m.Cpu.GetGpr(15));
        Assert.Equal(7UL, m.Cpu.GetGpr(3));
        Assert.Equal(userStack, m.Cpu.GetGpr(4));
        Assert.Equal(3, m.Cpu.Cpl);
        Assert.Equal(CpuEventKind.SoftwareInterrupt, m.Sink.Events[0].Kind);
        Assert.Equal(0x80, m.Sink.Events[0].Vector);
    }

    [Fact]
    public void Int_n_through_a_DPL0_gate_from_user_is_GP_with_the_IDT_error_code()
    {
        using var m = new Machine();
        m.SetGate(0x82, Handler, dpl: 0);
        m.EnterUser();
        m.Sink.Decide = (_, e) => e.Kind == CpuEventKind.SoftwareInterrupt ? EventDisposition.Native : EventDisposition.Stop;
        m.Load(a => a.@int(0x82));
        m.Cpu.Run(100);
        var gp = m.Sink.Events[^1];
        Assert.Equal(ExceptionVector.GeneralProtection, gp.Vector);
        Assert.Equal((0x82u << 3) | 2, gp.ErrorCode);
    }

    [Fact]
    public void Divide_by_zero_is_DE_at_the_faulting_instruction()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            a.mov(eax, 1);
            a.xor(ecx, ecx);
            a.div(ecx);
        });
        var result = m.Cpu.Run(100);
        Assert.Equal(ExceptionVector.DivideError, m.Sink.Events.Single().Vector);
        Assert.Equal(Machine.CodeAddress + 7, m.Cpu.Rip);
        Assert.Equal(2L, result.Retired);
    }

    [Fact]
    public void Unimplemented_instruction_is_UD_with_a_log_line_naming_it()
    {
        using var m = new Machine();
        m.Load(a => a.getsec());
        m.Cpu.Run(10);
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Sink.Events.Single().Vector);
        Assert.Contains(m.Log, l => l.Contains("getsec", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Triple_fault_shuts_the_CPU_down_instead_of_throwing()
    {
        using var m = new Machine();
        m.Sink.Decide = (_, _) => EventDisposition.Native;
        m.Cpu.SetIdtr(new TableRegister(0, 0));
        m.Load(a => a.ud2());
        var result = m.Cpu.Run(10);
        Assert.Equal(StopReason.Shutdown, result.Reason);
    }

    [Fact]
    public void Protected_mode_with_PAE_runs_32_bit_code_through_3_level_tables()
    {
        using var m = new Machine();
        const ulong Pdpt = 0x8000;
        const ulong Pd = 0x9000;
        m.Memory.Write64(Pdpt, Pd | 1);
        m.Memory.Write64(Pd, Machine.PageTable | 7);
        m.Cpu.SetControlRegister(0, 0x33);
        m.Cpu.SetEfer(0);
        m.Cpu.SetControlRegister(4, 0x20);
        m.Cpu.SetControlRegister(3, Pdpt);
        m.Cpu.SetControlRegister(0, 0x80010033);
        m.Cpu.SetSegment(1, SegmentState.Code32(Machine.Code32Cs, 1) with { Selector = Machine.Code32Cs | 1 });
        foreach (var i in new[] { 0, 2, 3 })
        {
            m.Cpu.SetSegment(i, SegmentState.Data(0x10, 1));
        }
        Assert.Equal(CpuMode.Protected32, m.Cpu.Mode);
        Assert.Equal(1, m.Cpu.Cpl);
        var assembler = new Iced.Intel.Assembler(32);
        assembler.mov(eax, 0x12345678);
        assembler.mov(__dword_ptr[0x30000], eax);
        assembler.add(eax, __dword_ptr[0x30000]);
        assembler.push(eax);
        assembler.pop(ebx);
        assembler.@int(0x82);
        using var stream = new MemoryStream();
        assembler.Assemble(new Iced.Intel.StreamCodeWriter(stream), Machine.CodeAddress);
        stream.ToArray().CopyTo(m.Memory.Bytes(Machine.CodeAddress, (int)stream.Length));
        m.Cpu.SetGpr(4, 0x7F000);
        m.Cpu.Rip = Machine.CodeAddress;
        m.Sink.Decide = (_, e) => e.Kind == CpuEventKind.SoftwareInterrupt ? EventDisposition.Stop : EventDisposition.Stop;
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.SinkRequested, result.Reason);
        Assert.Equal(0x2468ACF0UL, m.Cpu.GetGpr(3));
        Assert.Equal(0x82, m.Sink.Events.Single().Vector);
        Assert.Equal(0x12345678UL, m.Memory.Read64(0x30000) & 0xFFFFFFFF);
        Assert.Equal(0x7F000UL, m.Cpu.GetGpr(4));
    }
}

/// <summary>SYSENTER/SYSEXIT and the descriptor-table instructions at CPL 0.</summary>
public sealed class SystemInstructionTests
{
    [Fact]
    public void Sysenter_and_sysexit_use_the_SYSENTER_MSRs()
    {
        using var m = new Machine();
        const ulong Handler = 0x40000;
        m.Cpu.TryWriteMsr(0x174, Machine.KernelCs);
        m.Cpu.TryWriteMsr(0x175, 0x6F000);
        m.Cpu.TryWriteMsr(0x176, Handler);
        m.Load(a =>
        {
            a.mov(r8, rsp);
            a.mov(rdx, Machine.CodeAddress + 2);
            a.mov(rcx, 0x7E000);
            a.sysexitq();
        }, Handler);
        m.EnterUser();
        m.Cpu.Rflags = 0x202;
        m.Load(a =>
        {
            a.sysenter();
            a.mov(r9, rsp);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(0x6F000UL, m.Cpu.GetGpr(8));
        Assert.Equal(0x7E000UL, m.Cpu.GetGpr(9));
        Assert.Equal(3, m.Cpu.Cpl);
        Assert.Equal((ushort)(Machine.KernelCs + 32 | 3), m.Cpu.GetSegment(1).Selector);
        Assert.Equal(CpuEventKind.Sysenter, m.Sink.Events[0].Kind);
    }

    [Fact]
    public void Lgdt_sgdt_lidt_and_ltr_load_and_store_the_tables()
    {
        using var m = new Machine();
        m.Memory.Write64(0x30000, 0x1234_0000_5000_0FFF);
        m.Memory.Write64(0x30008, 0);
        m.Memory.Write64(Machine.Gdt + 0x30, 0x0000890000000067 | ((Machine.Tss & 0xFFFFFF) << 16));
        m.Load(a =>
        {
            a.lidt(__[0x30000]);
            a.sidt(__[0x30010]);
            a.lgdt(__[0x30020]);
            a.mov(ax, Machine.TssSelector);
            a.ltr(ax);
            a.str(bx);
            a.hlt();
        });
        m.Memory.Write64(0x30020, (Machine.Gdt << 16) | 0x3F);
        m.Memory.Write64(0x30028, 0);
        m.Cpu.Run(100);
        Assert.Equal(0x0FFFUL, m.Memory.Read64(0x30010) & 0xFFFF);
        Assert.Equal(0x1234_0000_5000UL, m.Memory.Read64(0x30012) & 0xFFFF_FFFF_FFFF);
        Assert.Equal((ulong)Machine.TssSelector, m.Cpu.GetGpr(3) & 0xFFFF);
        Assert.Equal(StopReason.Halted, m.Cpu.Run(1).Reason);
    }
}
