using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Tests.Hypercalls;
using ActorVisor.Hypervisor.Time;

namespace ActorVisor.Hypervisor.Tests.Time;

public class VcpuTimeTests
{
    [Fact]
    public void Publishing_time_leaves_an_even_version_and_the_given_scale()
    {
        using var f = new HypercallFixture();
        var info = SharedInfoLayout.VcpuInfo(0) + VcpuInfoLayout.Bits64.Time;

        VcpuTime.Publish(f.Machine, f.Domain, 0, systemTimeNs: 123_456, tsc: 999, tscToSystemMul: 0x8000_0000, tscShift: 1);
        VcpuTime.Publish(f.Machine, f.Domain, 0, systemTimeNs: 223_456, tsc: 1999, tscToSystemMul: 0x8000_0000, tscShift: 1);

        var page = f.Machine.Memory.Frame(f.Domain.Built.SharedInfoMfn);
        Assert.Equal(4u, BinaryPrimitives.ReadUInt32LittleEndian(page[(info + VcpuTimeInfoLayout.Version)..]));
        Assert.Equal(223_456ul, BinaryPrimitives.ReadUInt64LittleEndian(page[(info + VcpuTimeInfoLayout.SystemTime)..]));
        Assert.Equal(1999ul, BinaryPrimitives.ReadUInt64LittleEndian(page[(info + VcpuTimeInfoLayout.TscTimestamp)..]));
        Assert.Equal(1, (sbyte)page[info + VcpuTimeInfoLayout.TscShift]);
    }

    [Fact]
    public void The_wallclock_is_written_with_its_high_seconds()
    {
        using var f = new HypercallFixture();

        VcpuTime.PublishWallclock(f.Machine, f.Domain, (5ul << 32) | 7, 42);

        var page = f.Machine.Memory.Frame(f.Domain.Built.SharedInfoMfn);
        var l = SharedInfoLayout.Bits64;
        Assert.Equal((2u, 7u, 42u, 5u), (BinaryPrimitives.ReadUInt32LittleEndian(page[l.WcVersion..]), BinaryPrimitives.ReadUInt32LittleEndian(page[l.WcSec..]),
            BinaryPrimitives.ReadUInt32LittleEndian(page[l.WcNsec..]), BinaryPrimitives.ReadUInt32LittleEndian(page[l.WcSecHi..])));
    }

    [Fact]
    public void A_due_one_shot_timer_raises_VIRQ_TIMER_once()
    {
        using var f = new HypercallFixture();
        Assert.Equal(Hypervisor.Events.EventChannelError.None, f.Domain.Events.BindVirq((uint)Virq.Timer, 0, out var port));
        f.Vcpu.PeriodicPeriodNs = 0;
        f.Vcpu.SingleShotDeadlineNs = 5_000;
        ulong next = 0;

        Assert.False(VcpuTime.ExpireTimers(f.Vcpu, 4_999, ref next));
        Assert.True(VcpuTime.ExpireTimers(f.Vcpu, 5_000, ref next));
        Assert.True(f.Domain.Shared.IsPending(port));
        Assert.Equal(0ul, f.Vcpu.SingleShotDeadlineNs);
        Assert.False(VcpuTime.ExpireTimers(f.Vcpu, 9_000, ref next));
    }

    [Fact]
    public void The_periodic_timer_fires_every_period_and_skips_missed_ones()
    {
        using var f = new HypercallFixture();
        Assert.Equal(Hypervisor.Events.EventChannelError.None, f.Domain.Events.BindVirq((uint)Virq.Timer, 0, out _));
        ulong next = 0;

        Assert.False(VcpuTime.ExpireTimers(f.Vcpu, 0, ref next));
        Assert.Equal(10_000_000ul, next);
        Assert.True(VcpuTime.ExpireTimers(f.Vcpu, 35_000_000, ref next));
        Assert.Equal(40_000_000ul, next);
        Assert.Equal(40_000_000ul, VcpuTime.NextDeadline(f.Vcpu, next));
    }
}
