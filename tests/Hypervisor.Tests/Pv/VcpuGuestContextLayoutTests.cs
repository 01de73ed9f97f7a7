using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Tests.Pv;

public class VcpuGuestContextLayoutTests
{
    [Fact]
    public void The_64_bit_fields_follow_each_other_as_in_the_public_header()
    {
        var l = VcpuGuestContextLayout.Bits64;
        Assert.Equal(VcpuGuestContextLayout.Flags + 8, l.UserRegs);
        Assert.Equal(l.UserRegs + 200, l.TrapContext);
        Assert.Equal(l.TrapContext + (256 * 16), l.LdtBase);
        Assert.Equal(l.LdtEntries + 8, l.GdtFrames);
        Assert.Equal(l.GdtFrames + (16 * 8), l.GdtEntries);
        Assert.Equal(l.KernelSp + 8, l.CtrlReg);
        Assert.Equal(l.DebugReg + (8 * 8), l.EventCallback);
        Assert.Equal(l.GsBaseUser + 8, l.Size);
        // rax is the 11th register slot, r15 the first, rdi the 15th.
        Assert.Equal(80, l.RegsGpr(0));
        Assert.Equal(0, l.RegsGpr(15));
        Assert.Equal(112, l.RegsGpr(7));
        Assert.Equal(l.RegsRsp, l.RegsGpr(4));
    }

    [Fact]
    public void The_32_bit_fields_follow_each_other_as_in_the_public_header()
    {
        var l = VcpuGuestContextLayout.Bits32;
        Assert.Equal(VcpuGuestContextLayout.Flags + 4, l.UserRegs);
        Assert.Equal(l.UserRegs + 68, l.TrapContext);
        Assert.Equal(l.TrapContext + (256 * 8), l.LdtBase);
        Assert.Equal(l.GdtFrames + (16 * 4), l.GdtEntries);
        Assert.Equal(l.DebugReg + (8 * 4), l.EventCallback);
        Assert.Equal(l.FailsafeCallback + 8 + 4, l.Size);
        Assert.Equal(24, l.RegsGpr(0));
        Assert.Equal(0, l.RegsGpr(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => l.RegsGpr(8));
    }
}
