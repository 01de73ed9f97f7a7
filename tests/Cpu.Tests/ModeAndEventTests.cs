using ActorVisor.Cpu.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>Segment bases, compatibility mode, injected interrupts, MSR and SSE availability rules.</summary>
public sealed class ModeAndEventTests
{
    [Fact]
    public void FS_and_GS_overrides_add_the_segment_base_in_64_bit_mode()
    {
        using var m = new Machine();
        m.Cpu.SetFsBase(0x30000);
        m.Cpu.SetGsBase(0x31000);
        m.Memory.Write64(0x30008, 11);
        m.Memory.Write64(0x31010, 22);
        m.Load(a =>
        {
            a.mov(rax, __qword_ptr.fs[8]);
            a.mov(rbx, __qword_ptr.gs[rcx + 0x10]);
            a.mov(__qword_ptr.fs[0x20], rbx);
            a.hlt();
        });
        m.Cpu.SetGpr(1, 0);
        m.Cpu.Run(100);
        Assert.Equal(11UL, m.Cpu.GetGpr(0));
        Assert.Equal(22UL, m.Cpu.GetGpr(3));
        Assert.Equal(22UL, m.Memory.Read64(0x30020));
    }

    [Fact]
    public void Swapgs_exchanges_GS_base_with_KERNEL_GS_BASE()
    {
        using var m = new Machine();
        m.Cpu.SetGsBase(0x1000);
        m.Cpu.KernelGsBase = 0x2000;
        m.Load(a =>
        {
            a.swapgs();
            a.hlt();
        });
        m.Cpu.Run(10);
        Assert.Equal(0x2000UL, m.Cpu.GetSegment(5).Base);
        Assert.Equal(0x1000UL, m.Cpu.KernelGsBase);
    }

    [Fact]
    public void Compatibility_mode_runs_32_bit_code_under_long_mode_paging()
    {
        using var m = new Machine();
        m.Cpu.SetSegment(1, SegmentState.Code32(Machine.Code32Cs, 0));
        Assert.Equal(CpuMode.Compatibility, m.Cpu.Mode);
        var assembler = new Iced.Intel.Assembler(32);
        assembler.mov(eax, 0xFFFFFFFF);
        assembler.add(eax, 2);
        assembler.mov(__dword_ptr[0x30000], eax);
        assembler.hlt();
        using var stream = new MemoryStream();
        assembler.Assemble(new Iced.Intel.StreamCodeWriter(stream), Machine.CodeAddress);
        stream.ToArray().CopyTo(m.Memory.Bytes(Machine.CodeAddress, (int)stream.Length));
        m.Cpu.Rip = Machine.CodeAddress;
        m.Cpu.SetGpr(0, 0xDEAD_0000_0000_0000);
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.Halted, result.Reason);
        Assert.Equal(1UL, m.Cpu.GetGpr(0));
        Assert.Equal(1UL, m.Memory.Read64(0x30000));
    }

    [Fact]
    public void Injected_interrupt_wakes_a_halted_CPU_through_the_IDT_when_IF_is_set()
    {
        using var m = new Machine();
        const ulong Handler = 0x40000;
        m.SetGate(0x30, Handler);
        m.Load(a =>
        {
            a.mov(r10, 1);
            a.iretq();
        }, Handler);
        m.Load(a =>
        {
            a.hlt();
            a.mov(r11, 2);
            a.hlt();
        });
        m.Cpu.Rflags = 0x202;
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        m.Cpu.RequestInterrupt(0x30);
        Assert.Equal(StopReason.Halted, m.Cpu.Run(100).Reason);
        Assert.Equal(1UL, m.Cpu.GetGpr(10));
        Assert.Equal(2UL, m.Cpu.GetGpr(11));
    }

    [Fact]
    public void Unknown_MSR_raises_GP()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            a.mov(ecx, 0x9999);
            a.rdmsr();
        });
        m.Cpu.Run(10);
        var e = m.Sink.Events.Single();
        Assert.Equal(ExceptionVector.GeneralProtection, e.Vector);
        Assert.Equal(PrivilegedOperation.None, e.Operation);
    }

    [Fact]
    public void SSE_without_CR4_OSFXSR_is_UD_and_with_CR0_TS_is_NM()
    {
        using var m = new Machine();
        m.Cpu.SetControlRegister(4, m.Cpu.Cr4 & ~0x200UL);
        m.Load(a => a.pxor(xmm0, xmm1));
        m.Cpu.Run(10);
        Assert.Equal(ExceptionVector.InvalidOpcode, m.Sink.Events[^1].Vector);
        m.Cpu.SetControlRegister(4, m.Cpu.Cr4 | 0x200UL);
        m.Cpu.SetControlRegister(0, m.Cpu.Cr0 | 8);
        m.Cpu.Run(10);
        Assert.Equal(ExceptionVector.DeviceNotAvailable, m.Sink.Events[^1].Vector);
    }

    [Fact]
    public void Fxsave_and_fxrstor_round_trip_xmm_registers_and_mxcsr()
    {
        using var m = new Machine();
        m.Cpu.SetXmm128(3, 0x1111, 0x2222);
        m.Cpu.SetXmm128(15, 0x3333, 0x4444);
        m.Load(a =>
        {
            a.fxsave64(__[0x30000]);
            a.pxor(xmm3, xmm3);
            a.pxor(xmm15, xmm15);
            a.fxrstor64(__[0x30000]);
            a.hlt();
        });
        m.Cpu.Run(10);
        Assert.Equal((0x1111UL, 0x2222UL), m.Cpu.GetXmm128(3));
        Assert.Equal((0x3333UL, 0x4444UL), m.Cpu.GetXmm128(15));
        Assert.Equal(0x1F80UL, m.Memory.Read64(0x30000 + 24) & 0xFFFFFFFF);
        Assert.Equal(0x1111UL, m.Memory.Read64(0x30000 + 160 + 48));
    }

    [Fact]
    public void Writing_the_next_page_of_code_from_guest_code_is_seen_when_it_runs()
    {
        using var m = new Machine();
        m.Load(a =>
        {
            a.mov(eax, 1);
            a.hlt();
        }, 0x31000);
        m.Load(a =>
        {
            a.call(__qword_ptr[0x30800]);
            a.mov(__byte_ptr[0x31001], 9);
            a.call(__qword_ptr[0x30800]);
            a.mov(rbx, rax);
            a.hlt();
        });
        m.Memory.Write64(0x30800, 0x31000);
        m.Memory.Bytes(0x31005, 1)[0] = 0xC3;
        m.Memory.Bytes(0x31000, 6).Clear();
        new byte[] { 0xB8, 1, 0, 0, 0, 0xC3 }.CopyTo(m.Memory.Bytes(0x31000, 6));
        m.Cpu.InvalidateCodeFrame(0x31);
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.Halted, result.Reason);
        Assert.Equal(9UL, m.Cpu.GetGpr(3));
    }
}

/// <summary>LOCK-prefixed instructions stay atomic when two CPUs on two threads share memory.</summary>
public sealed class LockedInstructionTests
{
    [Fact]
    public void Lock_inc_and_lock_xadd_from_two_cpus_on_two_threads_lose_no_update()
    {
        using var m = new Machine();
        var second = m.AddCpu(new TestSink());
        m.Load(a =>
        {
            var top = a.CreateLabel();
            a.mov(ecx, 200000);
            a.Label(ref top);
            a.@lock.inc(__qword_ptr[0x30000]);
            a.mov(eax, 1);
            a.@lock.xadd(__qword_ptr[0x30008], rax);
            a.dec(ecx);
            a.jnz(top);
            a.hlt();
        });
        second.Rip = Machine.CodeAddress;
        second.SetGpr(4, Machine.StackTop - 0x2000);
        var other = new Thread(() => second.Run(10_000_000));
        other.Start();
        var mine = m.Cpu.Run(10_000_000);
        other.Join();
        Assert.Equal(StopReason.Halted, mine.Reason);
        Assert.True(second.Halted);
        Assert.Equal(400000UL, m.Memory.Read64(0x30000));
        Assert.Equal(400000UL, m.Memory.Read64(0x30008));
    }
}

/// <summary>RFLAGS.TF single-stepping.</summary>
public sealed class SingleStepTests
{
    [Fact]
    public void TF_raises_a_debug_trap_after_each_instruction_with_RIP_at_the_next_one_including_the_HLT_that_halts()
    {
        using var m = new Machine();
        var trapRips = new List<ulong>();
        m.Sink.Decide = (cpu, e) =>
        {
            if (e.Kind == CpuEventKind.Exception && e.Vector == ExceptionVector.Debug)
            {
                trapRips.Add(cpu.Rip);
                return EventDisposition.Handled;
            }
            return EventDisposition.Native;
        };
        m.Load(a =>
        {
            a.nop();
            a.mov(Iced.Intel.AssemblerRegisters.eax, 1);
            a.hlt();
        });
        m.Cpu.Rflags = 0x102;
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.Halted, result.Reason);
        Assert.Equal([Machine.CodeAddress + 1, Machine.CodeAddress + 6, Machine.CodeAddress + 7], trapRips);
        Assert.Equal(3L, result.Retired);
    }
}
