using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;
using ActorVisor.Hypervisor.Pv.Time;
using ActorVisor.Hypervisor.Tests.Hypercalls;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>The time a vCPU publishes in shared_info and its timers, driven without running guest code except where noted.</summary>
public class VcpuTimeTests
{
    [Fact]
    public void Running_a_slice_publishes_time_with_an_even_version_and_the_clock_scale()
    {
        using var f = new HypercallFixture();

        f.Vcpu.RunSlice(1);

        var time = f.Domain.SharedInfo.VcpuInfo(0)[f.Domain.SharedInfo.VcpuLayout.Time..];
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(time);
        Assert.NotEqual(0u, version);
        Assert.Equal(0u, version & 1);
        Assert.Equal(VirtualClock.TscToSystemMul, BinaryPrimitives.ReadUInt32LittleEndian(time[VcpuTimeInfoLayout.TscToSystemMul..]));
        Assert.Equal(unchecked((byte)VirtualClock.TscShift), time[VcpuTimeInfoLayout.TscShift]);
    }

    [Fact]
    public void The_wallclock_is_written_with_its_high_seconds_and_an_even_version()
    {
        const long seconds = (1L << 32) + 7;
        using var f = new HypercallFixture(options: new PvDomainOptions(WallclockAtZeroNs: (seconds * 1_000_000_000L) + 9));
        var page = f.Domain.SharedInfo.Page;
        var layout = f.Domain.SharedInfo.Layout;

        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(page[layout.WcVersion..]));
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(page[layout.WcSec..]));
        Assert.Equal(9u, BinaryPrimitives.ReadUInt32LittleEndian(page[layout.WcNsec..]));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(page[layout.WcSecHi..]));
    }

    [Fact]
    public void A_due_one_shot_timer_raises_VIRQ_TIMER_once()
    {
        using var f = new HypercallFixture(options: new PvDomainOptions(PeriodicTimerNs: 0));
        Assert.Equal(EventChannelError.None, f.Domain.Events.BindVirq((uint)Virq.Timer, 0, out var port));
        Assert.Equal(0, f.Call(HypercallNumber.SetTimerOp, 500));

        Assert.True(f.Vcpu.IdleToNextDeadline());

        Assert.Equal(500, f.Domain.Clock.NowNs);
        Assert.True(f.Domain.Events.IsPending(port));
        f.Domain.SharedInfo.ClearBit(f.Domain.SharedInfo.Layout.EvtchnPending, port);
        Assert.False(f.Vcpu.IdleToNextDeadline());
        Assert.False(f.Domain.Events.IsPending(port));
    }

    [Fact]
    public void The_periodic_timer_fires_every_period_and_skips_missed_ones()
    {
        using var f = new HypercallFixture(options: new PvDomainOptions(PeriodicTimerNs: 10_000_000));
        Assert.Equal(EventChannelError.None, f.Domain.Events.BindVirq((uint)Virq.Timer, 0, out var port));
        Assert.True(f.Vcpu.IdleToNextDeadline());
        Assert.Equal(10_000_000L, f.Vcpu.NextTimerDeadlineNs);

        Assert.True(f.Vcpu.IdleToNextDeadline());
        Assert.True(f.Domain.Events.IsPending(port));
        f.Domain.SharedInfo.ClearBit(f.Domain.SharedInfo.Layout.EvtchnPending, port);

        f.Domain.Clock.IdleUntil(45_000_000);
        Assert.True(f.Vcpu.IdleToNextDeadline());

        Assert.True(f.Domain.Events.IsPending(port));
        Assert.Equal(55_000_000L, f.Vcpu.NextTimerDeadlineNs);
    }
}
