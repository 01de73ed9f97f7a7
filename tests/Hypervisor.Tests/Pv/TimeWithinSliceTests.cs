using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>Virtual time moves inside a slice: hypercalls made in one long slice see later and later times.</summary>
public class TimeWithinSliceTests
{
    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void Hypercalls_in_one_slice_carry_increasing_timestamps_and_the_slice_total_is_exact(string arch)
    {
        var trace = new List<HypercallTraceEntry>();
        using var run = new GuestRun(arch, "hypercalls", trace: trace.Add);

        var slice = run.Vcpu.RunSlice(50_000_000);

        Assert.True(trace.Count > 10, $"only {trace.Count} hypercalls");
        for (int i = 1; i < trace.Count; i++)
        {
            Assert.True(trace[i].SystemTimeNs >= trace[i - 1].SystemTimeNs, $"time went back between hypercall {i - 1} and {i}");
        }

        Assert.True(trace[^1].SystemTimeNs > trace[0].SystemTimeNs, "every hypercall of the slice saw the same time");
        long expected = (long)(slice.Retired * run.Domain.Clock.NanosecondsPerInstruction);
        Assert.Equal(expected, run.Domain.Clock.NowNs);
    }
}
