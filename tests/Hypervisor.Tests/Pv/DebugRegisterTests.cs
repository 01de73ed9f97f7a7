using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>set_debugreg and get_debugreg, with Xen's checks on each register.</summary>
public class DebugRegisterTests
{
    [Fact]
    public void Registers_start_with_their_reset_values()
    {
        using var f = new HypercallFixture();

        Assert.Equal(0, f.Call(HypercallNumber.GetDebugreg, 0));
        Assert.Equal((long)PvVcpu.Dr6Default, f.Call(HypercallNumber.GetDebugreg, 6));
        Assert.Equal((long)PvVcpu.Dr7Default, f.Call(HypercallNumber.GetDebugreg, 7));
    }

    [Theory]
    [InlineData("x86_64", 0xFFFF_FFFF_8100_0000ul)]
    [InlineData("x86_32", 0xC010_0000ul)]
    public void A_breakpoint_address_in_guest_space_reads_back(string arch, ulong address)
    {
        using var f = new HypercallFixture(arch);

        Assert.Equal(0, f.Call(HypercallNumber.SetDebugreg, 2, address));

        Assert.Equal((long)address, f.Call(HypercallNumber.GetDebugreg, 2));
    }

    [Theory]
    [InlineData("x86_64", 0xFFFF_8000_0000_1000ul)]
    [InlineData("x86_64", 0x0000_8000_0000_0000ul)]
    [InlineData("x86_32", 0xF580_0000ul)]
    public void A_breakpoint_address_in_the_hypervisor_range_or_non_canonical_is_refused(string arch, ulong address)
    {
        using var f = new HypercallFixture(arch);

        Assert.Equal(XenErrno.Perm.ToReturnValue(), f.Call(HypercallNumber.SetDebugreg, 1, address));

        Assert.Equal(0, f.Call(HypercallNumber.GetDebugreg, 1));
    }

    [Fact]
    public void Dr6_keeps_its_fixed_bits_and_refuses_values_wider_than_32_bits()
    {
        using var f = new HypercallFixture();

        Assert.Equal(0, f.Call(HypercallNumber.SetDebugreg, 6, 0x4001));
        Assert.Equal(0xFFFF_4FF1, f.Call(HypercallNumber.GetDebugreg, 6));
        Assert.Equal(XenErrno.Inval.ToReturnValue(), f.Call(HypercallNumber.SetDebugreg, 6, 1ul << 32));
    }

    [Fact]
    public void Dr7_accepts_an_execute_breakpoint_and_refuses_an_io_breakpoint()
    {
        using var f = new HypercallFixture();

        Assert.Equal(0, f.Call(HypercallNumber.SetDebugreg, 7, 0x1));
        Assert.Equal(0x401, f.Call(HypercallNumber.GetDebugreg, 7));
        Assert.Equal(XenErrno.Perm.ToReturnValue(), f.Call(HypercallNumber.SetDebugreg, 7, 0x1 | (2ul << 16)));
        Assert.Equal(0x401, f.Call(HypercallNumber.GetDebugreg, 7));
    }

    [Fact]
    public void Dr4_and_dr5_alias_dr6_and_dr7_and_other_numbers_are_invalid()
    {
        using var f = new HypercallFixture();

        Assert.Equal(0, f.Call(HypercallNumber.SetDebugreg, 5, 0x2));

        Assert.Equal(0x402, f.Call(HypercallNumber.GetDebugreg, 7));
        Assert.Equal(f.Call(HypercallNumber.GetDebugreg, 6), f.Call(HypercallNumber.GetDebugreg, 4));
        Assert.Equal(XenErrno.Inval.ToReturnValue(), f.Call(HypercallNumber.GetDebugreg, 8));
        Assert.Equal(XenErrno.Inval.ToReturnValue(), f.Call(HypercallNumber.SetDebugreg, 8, 0));
    }

    [Fact]
    public void A_breakpoint_set_by_hypercall_fires_and_is_bounced_to_the_trap_table_with_B0_in_the_virtual_dr6()
    {
        using var f = new HypercallFixture();
        ulong code = f.Scratch + 0x400;
        ulong handler = f.Scratch + 0x800;
        f.Write(f.Scratch, [1, 0, 0x33, 0xE0, 0, 0, 0, 0]);
        f.WriteU64(f.Scratch + 8, handler);
        f.Write(f.Scratch + 16, new byte[16]);
        f.Write(code, [0x90, 0x90, 0x90, 0x90]);
        f.Write(handler, Enumerable.Repeat((byte)0x90, 64).ToArray());
        Assert.Equal(0, f.Call(HypercallNumber.SetTrapTable, f.Scratch));

        Assert.Equal(0, f.Call(HypercallNumber.SetDebugreg, 0, code + 2));
        Assert.Equal(0, f.Call(HypercallNumber.SetDebugreg, 7, 0x1));
        Assert.Equal(code + 2, f.Vcpu.Cpu.GetDebugRegister(0));
        Assert.Equal(0x401ul, f.Vcpu.Cpu.GetDebugRegister(7));

        f.Vcpu.Cpu.Rip = code;
        f.Vcpu.RunSlice(4);

        Assert.Null(f.Domain.ShutdownReason);
        Assert.InRange(f.Vcpu.Cpu.Rip, handler, handler + 4);
        Assert.Equal(0x1L, f.Call(HypercallNumber.GetDebugreg, 6) & 0xF);
        Assert.Equal(0ul, f.Vcpu.Cpu.GetDebugRegister(6) & 0xF);
    }
}
