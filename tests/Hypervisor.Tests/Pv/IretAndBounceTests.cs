using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>
/// The refusal cases of the iret hypercall and of trap bouncing, on a built guest whose registers
/// are set by hand. Well-formed bounces and irets are covered by the traps, events and usermode guests.
/// </summary>
public class IretAndBounceTests
{
    private const int RegRax = 0;
    private const int RegRsp = 4;

    [Fact]
    public void A_64_bit_iret_to_user_mode_without_a_user_page_table_crashes_the_domain()
    {
        using var f = new HypercallFixture();
        ulong[] frame = [7, 0x11, 0x22, 0, 0x400000, 0xE033, 0x3202, 0x7FFF0000, 0xE02B];
        for (int i = 0; i < frame.Length; i++)
        {
            f.WriteU64(f.Scratch + (ulong)(i * 8), frame[i]);
        }

        f.Vcpu.Cpu.SetGpr(RegRsp, f.Scratch);

        f.Call(HypercallNumber.Iret);

        Assert.Equal(ShutdownReason.Crash, f.Domain.ShutdownReason);
        Assert.Contains("user page table", f.Domain.CrashDetail, StringComparison.Ordinal);
        Assert.Equal(SliceOutcome.Crashed, f.Vcpu.RunSlice(100).Outcome);
    }

    [Fact]
    public void A_32_bit_iret_to_ring_1_restores_eax_eip_and_the_mask_from_IF()
    {
        using var f = new HypercallFixture("x86_32");
        uint[] frame = [7, 0xC0101000, 0xE019, 0x3202];
        for (int i = 0; i < frame.Length; i++)
        {
            f.WriteU32(f.Scratch + (ulong)(i * 4), frame[i]);
        }

        f.Vcpu.Cpu.SetGpr(RegRsp, f.Scratch);
        Assert.True(f.Domain.SharedInfo.UpcallMasked(0));

        Assert.Equal(0, f.Call(HypercallNumber.Iret));

        Assert.Null(f.Domain.ShutdownReason);
        Assert.Equal((7ul, 0xC0101000ul, f.Scratch + 16), (f.Vcpu.Cpu.GetGpr(RegRax), f.Vcpu.Cpu.Rip, f.Vcpu.Cpu.GetGpr(RegRsp)));
        Assert.Equal(0x202ul, f.Vcpu.Cpu.Rflags & 0x3202);
        Assert.False(f.Domain.SharedInfo.UpcallMasked(0));
    }

    [Fact]
    public void A_32_bit_iret_to_ring_0_crashes_the_domain()
    {
        using var f = new HypercallFixture("x86_32");
        f.WriteU32(f.Scratch, 0);
        f.WriteU32(f.Scratch + 4, 0xC0101000);
        f.WriteU32(f.Scratch + 8, 0xE010);
        f.WriteU32(f.Scratch + 12, 0x202);
        f.Vcpu.Cpu.SetGpr(RegRsp, f.Scratch);

        f.Call(HypercallNumber.Iret);

        Assert.Equal(ShutdownReason.Crash, f.Domain.ShutdownReason);
        Assert.Contains("ring 0", f.Domain.CrashDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x86_64", 0x7000_0000_0000ul)]
    [InlineData("x86_32", 0x7000_0000ul)]
    public void A_fault_before_the_guest_installed_a_trap_table_crashes_the_domain(string arch, ulong unmapped)
    {
        using var f = new HypercallFixture(arch);
        Assert.False(f.Vcpu.GuestMemory.TryTranslate(unmapped, write: false, out _));
        f.Vcpu.Cpu.Rip = unmapped;

        var slice = f.Vcpu.RunSlice(100);

        Assert.Equal(SliceOutcome.Crashed, slice.Outcome);
        Assert.Contains("no handler", f.Domain.CrashDetail, StringComparison.Ordinal);
    }
}
