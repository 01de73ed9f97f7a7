using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Pv;

public class PvCpuidPolicyTests
{
    [Theory]
    [InlineData(3, "MONITOR")]
    [InlineData(5, "VMX")]
    [InlineData(21, "x2APIC")]
    [InlineData(26, "XSAVE")]
    [InlineData(28, "AVX")]
    public void Leaf_1_hides_features_the_cpu_or_a_pv_guest_cannot_use(int bit, string feature)
    {
        var leaf1 = PvCpuidPolicy.Answer(1, 0, GuestWidth.Bits64);

        Assert.True((leaf1.Ecx & (1u << bit)) == 0, $"{feature} is advertised");
    }

    [Fact]
    public void Leaf_1_and_0x80000001_advertise_x86_64_v2()
    {
        var leaf1 = PvCpuidPolicy.Answer(1, 0, GuestWidth.Bits64);
        var extended = PvCpuidPolicy.Answer(0x8000_0001, 0, GuestWidth.Bits64);

        foreach (var (bit, feature) in new[] { (0, "SSE3"), (9, "SSSE3"), (13, "CX16"), (19, "SSE4.1"), (20, "SSE4.2"), (23, "POPCNT") })
        {
            Assert.True((leaf1.Ecx & (1u << bit)) != 0, $"{feature} is not advertised");
        }
        Assert.Equal(1u, extended.Ecx & 1);
    }

    [Fact]
    public void Leaf_1_keeps_the_baseline_x86_64_features_and_the_hypervisor_bit()
    {
        var leaf1 = PvCpuidPolicy.Answer(1, 0, GuestWidth.Bits64);

        Assert.Equal(1u << 31, leaf1.Ecx & (1u << 31));
        Assert.Equal((1u << 25) | (1u << 26), leaf1.Edx & ((1u << 25) | (1u << 26)));
    }

    [Fact]
    public void Brand_string_and_cache_leaves_read_as_Linux_reads_them()
    {
        var brand = string.Concat(Enumerable.Range(0, 3).Select(i =>
        {
            var r = PvCpuidPolicy.Answer(0x8000_0002 + (uint)i, 0, GuestWidth.Bits64);
            return string.Concat(new[] { r.Eax, r.Ebx, r.Ecx, r.Edx }.Select(v => System.Text.Encoding.ASCII.GetString(BitConverter.GetBytes(v))));
        })).TrimEnd('\0');
        Assert.Equal(PvCpuidPolicy.BrandString, brand);

        var sizes = new List<(uint Type, uint Level, uint Bytes)>();
        for (uint i = 0; ; i++)
        {
            var r = PvCpuidPolicy.Answer(4, i, GuestWidth.Bits64);
            if ((r.Eax & 0x1F) == 0)
            {
                break;
            }
            var ways = (r.Ebx >> 22) + 1;
            var partitions = ((r.Ebx >> 12) & 0x3FF) + 1;
            var line = (r.Ebx & 0xFFF) + 1;
            sizes.Add((r.Eax & 0x1F, (r.Eax >> 5) & 7, ways * partitions * line * (r.Ecx + 1)));
        }
        Assert.Equal([(1u, 1u, 32u << 10), (2u, 1u, 32u << 10), (3u, 2u, 1u << 20), (3u, 3u, 8u << 20)], sizes);
        var l2 = PvCpuidPolicy.Answer(0x8000_0006, 0, GuestWidth.Bits64);
        Assert.Equal(1024u, l2.Ecx >> 16);
        Assert.Equal(64u, l2.Ecx & 0xFF);
        Assert.Equal(0xFFu, (PvCpuidPolicy.Answer(2, 0, GuestWidth.Bits64).Eax >> 8) & 0xFF);
    }
}
