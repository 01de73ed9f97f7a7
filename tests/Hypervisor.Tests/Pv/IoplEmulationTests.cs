using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>
/// IN, OUT, CLI and STI from the guest kernel: admitted by the virtual IOPL the guest sets with
/// PHYSDEVOP_set_iopl (reads give all ones, writes and CLI/STI do nothing), #GP(0) otherwise.
/// </summary>
public class IoplEmulationTests
{
    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void With_iopl_1_port_reads_give_all_ones_and_writes_cli_and_sti_are_skipped(string arch)
    {
        using var f = new HypercallFixture(arch);
        GuestCode.SetIopl(f, 1);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, 0x1234_5600);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, 0xCF8);
        byte[] code =
        [
            0xB0, 0x12,       // mov al, 0x12
            0xE6, 0x80,       // out 0x80, al
            0xEF,             // out dx, eax
            0xFA,             // cli
            0xE4, 0x42,       // in al, 0x42
            0xFB,             // sti
            0xEB, 0xFE,       // jmp $
        ];

        var slice = GuestCode.Run(f, code, 6);

        Assert.Equal(SliceOutcome.BudgetSpent, slice.Outcome);
        Assert.Null(f.Domain.ShutdownReason);
        Assert.Equal(GuestCode.CodeAddress(f) + 9, f.Vcpu.Cpu.Rip);
        Assert.Equal(0x1234_56FFul, f.Vcpu.Cpu.GetGpr(GuestCode.RegRax));
    }

    [Fact]
    public void A_16_bit_read_keeps_the_upper_bits_and_a_32_bit_read_clears_bits_32_to_63()
    {
        using var f = new HypercallFixture();
        GuestCode.SetIopl(f, 1);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, 0xAAAA_BBBB_CCCC_0000);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, 0x61);
        GuestCode.Run(f, [0x66, 0xED, 0xEB, 0xFE], 1);
        Assert.Equal(0xAAAA_BBBB_CCCC_FFFFul, f.Vcpu.Cpu.GetGpr(GuestCode.RegRax));

        GuestCode.Run(f, [0xED, 0xEB, 0xFE], 1);
        Assert.Equal(0xFFFF_FFFFul, f.Vcpu.Cpu.GetGpr(GuestCode.RegRax));
    }

    [Theory]
    [InlineData(new byte[] { 0xE6, 0x80 })]
    [InlineData(new byte[] { 0xEC })]
    [InlineData(new byte[] { 0xFA })]
    [InlineData(new byte[] { 0xFB })]
    public void Without_a_virtual_iopl_the_instruction_raises_a_general_protection_fault(byte[] instruction)
    {
        using var f = new HypercallFixture();

        var slice = GuestCode.Run(f, [.. instruction, 0xEB, 0xFE], 2);

        Assert.Equal(SliceOutcome.Crashed, slice.Outcome);
        Assert.Contains("vector 13", f.Domain.CrashDetail, StringComparison.Ordinal);
        Assert.Equal(GuestCode.CodeAddress(f), f.Vcpu.Cpu.Rip);
    }
}
