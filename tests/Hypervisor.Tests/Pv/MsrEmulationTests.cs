using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>RDMSR and WRMSR from the guest kernel, answered from <see cref="PvMsrPolicy"/> or refused with #GP(0).</summary>
public class MsrEmulationTests
{
    private static byte[] ReadMsr(uint index) =>
        [0xB9, (byte)index, (byte)(index >> 8), (byte)(index >> 16), (byte)(index >> 24), 0x0F, 0x32, 0xEB, 0xFE];

    private static byte[] WriteMsr(uint index) =>
        [0xB9, (byte)index, (byte)(index >> 8), (byte)(index >> 16), (byte)(index >> 24), 0x0F, 0x30, 0xEB, 0xFE];

    private static ulong EdxEax(HypercallFixture f) =>
        (f.Vcpu.Cpu.GetGpr(GuestCode.RegRdx) << 32) | (f.Vcpu.Cpu.GetGpr(GuestCode.RegRax) & 0xFFFF_FFFF);

    [Theory]
    [InlineData("x86_64", PvMsrPolicy.Pat, PvMsrPolicy.XenPat)]
    [InlineData("x86_32", PvMsrPolicy.Pat, PvMsrPolicy.XenPat)]
    [InlineData("x86_64", PvMsrPolicy.MiscEnable, PvMsrPolicy.MiscEnableValue)]
    [InlineData("x86_64", PvMsrPolicy.MicrocodeRevision, PvMsrPolicy.MicrocodeRevisionValue)]
    [InlineData("x86_64", PvMsrPolicy.FeatureControl, 1ul)]
    [InlineData("x86_64", PvMsrPolicy.Efer, 0xD01ul)]
    [InlineData("x86_32", PvMsrPolicy.Efer, 0x801ul)]
    public void Rdmsr_of_a_known_msr_returns_xens_value_in_edx_eax(string arch, uint index, ulong expected)
    {
        using var f = new HypercallFixture(arch);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, 0xDEAD);

        var slice = GuestCode.Run(f, ReadMsr(index), 2);

        Assert.Equal(SliceOutcome.BudgetSpent, slice.Outcome);
        Assert.Equal(expected, EdxEax(f));
        Assert.Equal(GuestCode.CodeAddress(f) + 7, f.Vcpu.Cpu.Rip);
    }

    [Theory]
    [InlineData(0x1Bu)]
    [InlineData(0x4Eu)]
    [InlineData(0xC000_0081u)]
    public void Rdmsr_of_an_msr_outside_the_policy_raises_a_general_protection_fault(uint index)
    {
        using var f = new HypercallFixture();

        var slice = GuestCode.Run(f, ReadMsr(index), 2);

        Assert.Equal(SliceOutcome.Crashed, slice.Outcome);
        Assert.Contains("vector 13", f.Domain.CrashDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PvMsrPolicy.MicrocodeRevision, 0ul, true)]
    [InlineData(PvMsrPolicy.MicrocodeRevision, 1ul, false)]
    [InlineData(PvMsrPolicy.MiscEnable, 0ul, true)]
    [InlineData(PvMsrPolicy.Pat, PvMsrPolicy.XenPat, true)]
    [InlineData(PvMsrPolicy.Pat, 0x0007_0406_0007_0406ul, false)]
    [InlineData(PvMsrPolicy.FeatureControl, 1ul, false)]
    public void Wrmsr_is_accepted_only_where_xen_accepts_it(uint index, ulong value, bool accepted)
    {
        using var f = new HypercallFixture();
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, value & 0xFFFF_FFFF);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, value >> 32);

        var slice = GuestCode.Run(f, WriteMsr(index), 2);

        Assert.Equal(accepted ? SliceOutcome.BudgetSpent : SliceOutcome.Crashed, slice.Outcome);
        Assert.Equal(accepted, f.Domain.ShutdownReason is null);
    }

    [Fact]
    public void Misc_enable_reads_the_same_after_a_write_tries_to_change_it()
    {
        using var f = new HypercallFixture();
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, 0);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, 0);
        GuestCode.Run(f, WriteMsr(PvMsrPolicy.MiscEnable), 2);

        GuestCode.Run(f, ReadMsr(PvMsrPolicy.MiscEnable), 2);

        Assert.Equal(PvMsrPolicy.MiscEnableValue, EdxEax(f));
    }

    [Fact]
    public void The_fs_base_msr_still_reaches_the_segment_base()
    {
        using var f = new HypercallFixture();
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRax, 0x5000);
        f.Vcpu.Cpu.SetGpr(GuestCode.RegRdx, 0x7F);

        GuestCode.Run(f, WriteMsr(0xC000_0100), 2);

        Assert.Equal(0x7F_0000_5000ul, f.Vcpu.Cpu.GetSegment(4).Base);
    }
}
