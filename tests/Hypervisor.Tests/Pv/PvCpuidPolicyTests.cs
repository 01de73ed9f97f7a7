using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Pv;

public class PvCpuidPolicyTests
{
    [Theory]
    [InlineData(0, "SSE3")]
    [InlineData(3, "MONITOR")]
    [InlineData(5, "VMX")]
    [InlineData(9, "SSSE3")]
    [InlineData(19, "SSE4.1")]
    [InlineData(20, "SSE4.2")]
    [InlineData(21, "x2APIC")]
    [InlineData(26, "XSAVE")]
    [InlineData(28, "AVX")]
    public void Leaf_1_hides_features_the_cpu_or_a_pv_guest_cannot_use(int bit, string feature)
    {
        var leaf1 = PvCpuidPolicy.Answer(1, 0, GuestWidth.Bits64);

        Assert.True((leaf1.Ecx & (1u << bit)) == 0, $"{feature} is advertised");
    }

    [Fact]
    public void Leaf_1_keeps_the_baseline_x86_64_features_and_the_hypervisor_bit()
    {
        var leaf1 = PvCpuidPolicy.Answer(1, 0, GuestWidth.Bits64);

        Assert.Equal(1u << 31, leaf1.Ecx & (1u << 31));
        Assert.Equal((1u << 25) | (1u << 26), leaf1.Edx & ((1u << 25) | (1u << 26)));
    }
}
