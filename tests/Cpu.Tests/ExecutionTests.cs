using ActorVisor.Cpu.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>The execution engine: exact budgets, self-modifying code, host invalidation, state capture and restore, string and stack instructions.</summary>
public sealed class ExecutionTests
{
    private static void Loop(Iced.Intel.Assembler a)
    {
        var top = a.CreateLabel();
        a.mov(ecx, 1000);
        a.Label(ref top);
        a.add(rax, rcx);
        a.dec(ecx);
        a.jnz(top);
        a.hlt();
    }

    [Fact]
    public void Budget_is_exact_and_runs_can_be_split_anywhere()
    {
        using var whole = new Machine();
        whole.Load(Loop);
        var all = whole.Cpu.Run(1_000_000);
        Assert.Equal(StopReason.Halted, all.Reason);
        Assert.Equal(3002L, all.Retired);
        using var split = new Machine();
        split.Load(Loop);
        long total = 0;
        RunResult r;
        do
        {
            r = split.Cpu.Run(7);
            Assert.True(r.Retired <= 7);
            total += r.Retired;
        }
        while (r.Reason == StopReason.BudgetExhausted);
        Assert.Equal(3002L, total);
        Assert.Equal(whole.Cpu.Capture(), split.Cpu.Capture());
    }

    [Fact]
    public void Capture_and_restore_continue_exactly()
    {
        using var a = new Machine();
        a.Load(Loop);
        a.Cpu.Run(1001);
        var state = a.Cpu.Capture();
        using var b = new Machine();
        b.Load(Loop);
        b.Cpu.Restore(state);
        Assert.Equal(state, b.Cpu.Capture());
        a.Cpu.Run(10_000);
        b.Cpu.Run(10_000);
        Assert.Equal(a.Cpu.Capture(), b.Cpu.Capture());
        Assert.Equal(500500UL, b.Cpu.GetGpr(0));
    }

    [Fact]
    public void Restore_refuses_an_unknown_version()
    {
        using var m = new Machine();
        var before = m.Cpu.Capture();
        var refused = Assert.Throws<ArgumentException>(() => m.Cpu.Restore(before with { Version = 99, Rip = 5 }));
        Assert.Contains("version 99", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, m.Cpu.Capture());
    }

    [Fact]
    public void Restore_refuses_arrays_of_the_wrong_length_and_changes_nothing()
    {
        using var m = new Machine();
        var before = m.Cpu.Capture();
        var refused = Assert.Throws<ArgumentException>(() => m.Cpu.Restore(before with { Gprs = new ulong[15], Rip = 5 }));
        Assert.Contains("15 general registers", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, m.Cpu.Capture());
    }

    [Fact]
    public void Store_into_the_running_block_takes_effect_at_the_next_instruction()
    {
        using var m = new Machine();
        var bytes = m.Load(a =>
        {
            a.mov(__byte_ptr[Machine.CodeAddress + 20], 0xF4);
            a.mov(rbx, 1);
            a.nop();
            a.nop();
            a.nop();
            a.nop();
            a.nop();
            a.nop();
            a.nop();
            a.nop();
            a.mov(rbx, 2);
            a.hlt();
        });
        Assert.True(bytes.Length > 21);
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.Halted, result.Reason);
        Assert.Equal(1UL, m.Cpu.GetGpr(3));
    }

    [Fact]
    public void Host_write_plus_InvalidateCodeFrame_runs_the_new_code()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            a.mov(eax, 1);
            a.hlt();
        });
        m.Cpu.Run(10);
        Assert.Equal(1UL, m.Cpu.GetGpr(0));
        m.Memory.Bytes(Machine.CodeAddress + 1, 1)[0] = 2;
        m.Cpu.InvalidateCodeFrame(Machine.CodeAddress >> 12);
        m.Cpu.Rip = Machine.CodeAddress;
        m.Cpu.Halted = false;
        m.Cpu.Run(10);
        Assert.Equal(2UL, m.Cpu.GetGpr(0));
    }

    [Fact]
    public void Rep_movsb_and_rep_stosq_copy_across_pages()
    {
        using var m = new Machine();
        var source = m.Memory.Bytes(0x30000, 0x3000);
        for (var i = 0; i < source.Length; i++)
        {
            source[i] = (byte)(i * 7);
        }
        m.Load(a =>
        {
            a.mov(rsi, 0x30001);
            a.mov(rdi, 0x40003);
            a.mov(rcx, 0x2005);
            a.rep.movsb();
            a.mov(rdi, 0x50000);
            a.mov(rcx, 700);
            a.mov(rax, 0x0102030405060708);
            a.rep.stosq();
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.True(m.Memory.Bytes(0x30001, 0x2005).SequenceEqual(m.Memory.Bytes(0x40003, 0x2005)));
        Assert.Equal(0UL, m.Cpu.GetGpr(1));
        Assert.Equal(0x50000UL + (700 * 8), m.Cpu.GetGpr(7));
        Assert.Equal(0x0102030405060708UL, m.Memory.Read64(0x50000 + (699 * 8)));
        Assert.Equal(0UL, m.Memory.Read64(0x50000 + (700 * 8)));
    }

    [Fact]
    public void Repne_scasb_finds_a_terminator_like_strlen()
    {
        using var m = new Machine();
        "hello, world\0"u8.CopyTo(m.Memory.Bytes(0x30000, 13));
        m.Load(a =>
        {
            a.mov(rdi, 0x30000);
            a.xor(eax, eax);
            a.mov(rcx, -1);
            a.repne.scasb();
            a.not(rcx);
            a.dec(rcx);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(12UL, m.Cpu.GetGpr(1));
    }

    [Fact]
    public void Call_ret_enter_leave_and_push_pop_keep_the_stack_balanced()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            var function = a.CreateLabel();
            var end = a.CreateLabel();
            a.mov(rdi, 20);
            a.call(function);
            a.jmp(end);
            a.Label(ref function);
            a.enter(32, 0);
            a.push(rbx);
            a.lea(rbx, __[rdi + rdi * 2 + 1]);
            a.mov(rax, rbx);
            a.pop(rbx);
            a.leave();
            a.ret();
            a.Label(ref end);
            a.hlt();
        });
        m.Cpu.SetGpr(3, 5);
        m.Cpu.Run(100);
        Assert.Equal(61UL, m.Cpu.GetGpr(0));
        Assert.Equal(5UL, m.Cpu.GetGpr(3));
        Assert.Equal(Machine.StackTop, m.Cpu.GetGpr(4));
    }

    [Fact]
    public void Cpuid_and_msrs_reach_the_sink()
    {
        using var m = new Machine();
        m.Sink.Msrs[0x1234] = 0;
        m.Load(a =>
        {
            a.mov(eax, 7);
            a.mov(ecx, 1);
            a.cpuid();
            a.mov(r8, rax);
            a.mov(ecx, 0x1234);
            a.mov(eax, 5);
            a.mov(edx, 6);
            a.wrmsr();
            a.mov(ecx, 0xC0000100);
            a.wrmsr();
            a.rdmsr();
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(8UL, m.Cpu.GetGpr(8));
        Assert.Equal(0x6_0000_0005UL, m.Sink.Msrs[0x1234]);
        Assert.Equal(0x6_0000_0005UL, m.Cpu.GetSegment(4).Base);
    }

    [Fact]
    public void Hypervisor_reads_and_writes_guest_linear_memory_with_fault_reporting()
    {
        using var m = new Machine();
        m.Memory.Write64(Machine.PageTable + (0x31 * 8), 0);
        Assert.True(m.Cpu.TryWriteLinear(0x30FFE, [1, 2], out _));
        Span<byte> buffer = stackalloc byte[4];
        Assert.False(m.Cpu.TryReadLinear(0x30FFE, buffer, out var fault));
        Assert.Equal(0x31000UL, fault.FaultAddress);
        Assert.True(m.Cpu.TryTranslate(0x30FFE, write: false, out var physical, out _));
        Assert.Equal(0x30FFEUL, physical);
    }
}
