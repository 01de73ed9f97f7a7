using ActorVisor.Hypervisor.Pv.Time;

namespace ActorVisor.Hypervisor.Tests.Pv;

public class VirtualClockTests
{
    [Fact]
    public void System_time_is_retired_instructions_at_the_configured_rate_plus_idle_time()
    {
        var clock = new VirtualClock(nanosecondsPerInstruction: 2.0);
        clock.AddInstructions(1000);
        clock.IdleUntil(5000);

        Assert.Equal(5000, clock.NowNs);
        clock.AddInstructions(10);
        Assert.Equal(5020, clock.NowNs);
    }

    [Fact]
    public void Idling_never_moves_time_backwards()
    {
        var clock = new VirtualClock();
        clock.AddInstructions(100);

        clock.IdleUntil(50);

        Assert.Equal(100, clock.NowNs);
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(123_456_789ul)]
    [InlineData(1ul << 40)]
    public void The_tsc_scale_in_vcpu_time_info_turns_tsc_ticks_back_into_nanoseconds(ulong ticks)
    {
        // The guest's formula: ((ticks << shift) * mul) >> 32, with 128-bit intermediate.
        var scaled = (UInt128)(ticks << VirtualClock.TscShift) * VirtualClock.TscToSystemMul >> 32;

        Assert.Equal(ticks, (ulong)scaled);
    }
}
