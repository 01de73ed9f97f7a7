using ActorVisor.Cpu.Tests.Support;
using Xunit;
using static Iced.Intel.AssemblerRegisters;

namespace ActorVisor.Cpu.Tests;

/// <summary>Paging semantics the native harness cannot reach: walks, permission bits, A/D bits, #PF codes, TLB flush rules.</summary>
public sealed class PagingTests
{
    private const ulong Page = 0x30000;

    private static ulong PteAddress(ulong linear) => Machine.PageTable + ((linear >> 12) * 8);

    private static CpuEvent RunUntilEvent(Machine m)
    {
        var result = m.Cpu.Run(1000);
        Assert.Equal(StopReason.SinkRequested, result.Reason);
        return m.Sink.Events[^1];
    }

    [Fact]
    public void Read_sets_accessed_and_write_sets_dirty_in_the_leaf_entry()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), Page | 7);
        m.Load(a =>
        {
            a.mov(rax, __qword_ptr[Page]);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(0x20UL, m.Memory.Read64(PteAddress(Page)) & 0x60);
        m.Load(a =>
        {
            a.mov(__qword_ptr[Page], rax);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(0x60UL, m.Memory.Read64(PteAddress(Page)) & 0x60);
    }

    [Fact]
    public void Not_present_read_gives_error_code_0_and_the_address()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), 0);
        m.Load(a =>
        {
            a.mov(rax, __qword_ptr[Page + 0x18]);
            a.hlt();
        });
        var e = RunUntilEvent(m);
        Assert.Equal(ExceptionVector.PageFault, e.Vector);
        Assert.Equal(0u, e.ErrorCode);
        Assert.Equal(Page + 0x18, e.FaultAddress);
        Assert.Equal(Machine.CodeAddress, m.Cpu.Rip);
    }

    [Fact]
    public void User_write_to_read_only_page_gives_present_write_user()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), Page | 5);
        m.EnterUser();
        m.Load(a =>
        {
            a.mov(__dword_ptr[Page], eax);
            a.hlt();
        });
        var e = RunUntilEvent(m);
        Assert.Equal((uint)(PageFaultErrorCode.Present | PageFaultErrorCode.Write | PageFaultErrorCode.User), e.ErrorCode);
    }

    [Fact]
    public void User_access_to_supervisor_page_faults_but_kernel_access_does_not()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), Page | 3);
        m.Memory.Write64(Page, 0x1122334455667788);
        m.Load(a =>
        {
            a.mov(rbx, __qword_ptr[Page]);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(0x1122334455667788UL, m.Cpu.GetGpr(3));
        m.EnterUser();
        m.Load(a =>
        {
            a.mov(rbx, __qword_ptr[Page]);
            a.hlt();
        });
        var e = RunUntilEvent(m);
        Assert.Equal((uint)(PageFaultErrorCode.Present | PageFaultErrorCode.User), e.ErrorCode);
    }

    [Fact]
    public void Supervisor_write_to_read_only_page_faults_only_with_CR0_WP()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), Page | 5);
        m.Load(a =>
        {
            a.mov(__qword_ptr[Page], rax);
            a.hlt();
        });
        var e = RunUntilEvent(m);
        Assert.Equal((uint)(PageFaultErrorCode.Present | PageFaultErrorCode.Write), e.ErrorCode);
        m.Cpu.SetControlRegister(0, m.Cpu.Cr0 & ~(1UL << 16));
        m.Cpu.SetGpr(0, 77);
        var result = m.Cpu.Run(100);
        Assert.Equal(StopReason.Halted, result.Reason);
        Assert.Equal(77UL, m.Memory.Read64(Page));
    }

    [Fact]
    public void Fetch_from_NX_page_faults_with_instruction_fetch_bit()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), Page | 7 | (1UL << 63));
        m.Load(a => a.hlt(), Page);
        var e = RunUntilEvent(m);
        Assert.Equal((uint)(PageFaultErrorCode.Present | PageFaultErrorCode.InstructionFetch), e.ErrorCode);
        Assert.Equal(Page, e.FaultAddress);
    }

    [Fact]
    public void NX_bit_is_reserved_when_EFER_NXE_is_clear()
    {
        using var m = new Machine();
        m.Cpu.SetEfer(m.Cpu.Efer & ~0x800UL);
        m.Memory.Write64(PteAddress(Page), Page | 7 | (1UL << 63));
        m.Load(a =>
        {
            a.mov(rax, __qword_ptr[Page]);
            a.hlt();
        });
        var e = RunUntilEvent(m);
        Assert.Equal((uint)(PageFaultErrorCode.Present | PageFaultErrorCode.ReservedBit), e.ErrorCode);
    }

    [Fact]
    public void Stale_TLB_entry_survives_until_INVLPG_and_CR3_write_keeps_global_pages()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), 0x31000 | 7 | 0x100);
        m.Memory.Write64(0x31000, 1);
        m.Memory.Write64(0x32000, 2);
        m.Load(a =>
        {
            a.mov(rax, __qword_ptr[Page]);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(1UL, m.Cpu.GetGpr(0));
        m.Memory.Write64(PteAddress(Page), 0x32000 | 7 | 0x100);
        m.Cpu.Rip = Machine.CodeAddress;
        m.Cpu.Halted = false;
        m.Cpu.Run(100);
        Assert.Equal(1UL, m.Cpu.GetGpr(0));
        m.Cpu.SetControlRegister(3, Machine.Pml4);
        m.Cpu.Rip = Machine.CodeAddress;
        m.Cpu.Halted = false;
        m.Cpu.Run(100);
        Assert.Equal(1UL, m.Cpu.GetGpr(0));
        m.Load(a =>
        {
            a.invlpg(__[Page]);
            a.mov(rax, __qword_ptr[Page]);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(2UL, m.Cpu.GetGpr(0));
    }

    [Fact]
    public void CR3_write_flushes_non_global_entries()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page), 0x31000 | 7);
        m.Memory.Write64(0x31000, 1);
        m.Memory.Write64(0x32000, 2);
        m.Load(a =>
        {
            a.mov(rax, __qword_ptr[Page]);
            a.mov(__qword_ptr[PteAddress(Page)], rbx);
            a.mov(rcx, Machine.Pml4);
            a.mov(cr3, rcx);
            a.mov(rdx, __qword_ptr[Page]);
            a.hlt();
        });
        m.Cpu.SetGpr(3, 0x32000 | 7);
        m.Cpu.Run(100);
        Assert.Equal(1UL, m.Cpu.GetGpr(0));
        Assert.Equal(2UL, m.Cpu.GetGpr(2));
    }

    [Fact]
    public void Access_crossing_into_an_unmapped_page_faults_at_the_second_page_and_writes_nothing()
    {
        using var m = new Machine();
        m.Memory.Write64(PteAddress(Page + 0x1000), 0);
        m.Memory.Write64(Page + 0xFF8, 0xAAAAAAAAAAAAAAAA);
        m.Load(a =>
        {
            a.mov(__qword_ptr[Page + 0xFFC], rax);
            a.hlt();
        });
        m.Cpu.SetGpr(0, 0);
        var e = RunUntilEvent(m);
        Assert.Equal(Page + 0x1000, e.FaultAddress);
        Assert.Equal((uint)PageFaultErrorCode.Write, e.ErrorCode);
        Assert.Equal(0xAAAAAAAAAAAAAAAAUL, m.Memory.Read64(Page + 0xFF8));
    }

    [Fact]
    public void Large_2MiB_page_maps_through_the_directory_entry()
    {
        using var m = new Machine();
        m.Memory.Write64(0x200000 + 0x1238, 0x55);
        m.Load(a =>
        {
            a.mov(rax, __qword_ptr[0x201238]);
            a.hlt();
        });
        m.Cpu.Run(100);
        Assert.Equal(0x55UL, m.Cpu.GetGpr(0));
        Assert.NotEqual(0UL, m.Memory.Read64(Machine.PageDirectory + 8) & 0x20);
    }
}

/// <summary>The PV kernel-mode switch: CPL 3 code checked as supervisor against the page tables.</summary>
public sealed class PagingAsSupervisorTests
{
    [Fact]
    public void CPL3_code_reaches_supervisor_pages_only_while_PagingAsSupervisor_is_set()
    {
        using var m = new Machine();
        m.Memory.Write64(Machine.PageTable + (0x30 * 8), 0x30000 | 3);
        m.Memory.Write64(0x30000, 42);
        m.EnterUser();
        m.Cpu.PagingAsSupervisor = true;
        m.Load(a =>
        {
            a.mov(Iced.Intel.AssemblerRegisters.rbx, Iced.Intel.AssemblerRegisters.__qword_ptr[0x30000]);
            a.hlt();
        });
        m.Cpu.Run(10);
        Assert.Equal(42UL, m.Cpu.GetGpr(3));
        Assert.Equal(PrivilegedOperation.Hlt, m.Sink.Events[^1].Operation);
        m.Cpu.PagingAsSupervisor = false;
        m.Cpu.Rip = Machine.CodeAddress;
        m.Cpu.Run(10);
        var fault = m.Sink.Events[^1];
        Assert.Equal(ExceptionVector.PageFault, fault.Vector);
        Assert.Equal((uint)(PageFaultErrorCode.Present | PageFaultErrorCode.User), fault.ErrorCode);
    }
}
