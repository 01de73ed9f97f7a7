using ActorVisor.Abi;
using ActorVisor.Hypervisor.Hypercalls;

namespace ActorVisor.Hypervisor.Time;

/// <summary>
/// Keeps a vCPU's notion of time: publishes vcpu_time_info (system time, TSC stamp and scale)
/// and the shared_info wallclock under the version protocol (odd while writing, even after), and
/// fires VIRQ_TIMER for the one-shot (set_timer_op, VCPUOP_set_singleshot_timer) and periodic
/// timers in virtual time.
/// </summary>
public static class VcpuTime
{
    /// <summary>
    /// Writes vcpu_time_info for <paramref name="vcpu"/>: the guest computes
    /// now = system_time + ((tsc - tsc_timestamp) shifted by tsc_shift) * mul >> 32.
    /// </summary>
    public static unsafe void Publish(Machine machine, PvDomain domain, int vcpu, ulong systemTimeNs, ulong tsc, uint tscToSystemMul, sbyte tscShift)
    {
        byte* info = machine.Memory.FramePointer(domain.Built.SharedInfoMfn) + SharedInfoLayout.VcpuInfo(vcpu) + VcpuInfoLayout.For(domain.Width).Time;
        ref uint version = ref *(uint*)(info + VcpuTimeInfoLayout.Version);
        Volatile.Write(ref version, (version + 1) | 1);
        *(ulong*)(info + VcpuTimeInfoLayout.TscTimestamp) = tsc;
        *(ulong*)(info + VcpuTimeInfoLayout.SystemTime) = systemTimeNs;
        *(uint*)(info + VcpuTimeInfoLayout.TscToSystemMul) = tscToSystemMul;
        *(sbyte*)(info + VcpuTimeInfoLayout.TscShift) = tscShift;
        info[VcpuTimeInfoLayout.Flags] = VcpuTimeInfoLayout.FlagTscStable;
        Volatile.Write(ref version, version + 1);
    }

    /// <summary>Writes the wallclock (time of day at system time 0) into shared_info.</summary>
    public static unsafe void PublishWallclock(Machine machine, PvDomain domain, ulong seconds, uint nanoseconds)
    {
        var layout = SharedInfoLayout.For(domain.Width);
        byte* page = machine.Memory.FramePointer(domain.Built.SharedInfoMfn);
        ref uint version = ref *(uint*)(page + layout.WcVersion);
        Volatile.Write(ref version, (version + 1) | 1);
        *(uint*)(page + layout.WcSec) = (uint)seconds;
        *(uint*)(page + layout.WcNsec) = nanoseconds;
        *(uint*)(page + layout.WcSecHi) = (uint)(seconds >> 32);
        Volatile.Write(ref version, version + 1);
    }

    /// <summary>
    /// Fires the timers of <paramref name="vcpu"/> that are due at <paramref name="nowNs"/>: the
    /// one-shot deadline is cleared when it fires; the periodic timer advances by whole periods.
    /// Returns true when VIRQ_TIMER was raised. <paramref name="nextPeriodicNs"/> is the caller's
    /// record of the next periodic expiry (0 = start counting from now).
    /// </summary>
    public static bool ExpireTimers(PvVcpu vcpu, ulong nowNs, ref ulong nextPeriodicNs)
    {
        bool fire = false;
        if (vcpu.SingleShotDeadlineNs != 0 && nowNs >= vcpu.SingleShotDeadlineNs)
        {
            vcpu.SingleShotDeadlineNs = 0;
            fire = true;
        }

        if (vcpu.PeriodicPeriodNs == 0)
        {
            nextPeriodicNs = 0;
        }
        else if (nextPeriodicNs == 0)
        {
            nextPeriodicNs = nowNs + vcpu.PeriodicPeriodNs;
        }
        else if (nowNs >= nextPeriodicNs)
        {
            ulong periods = ((nowNs - nextPeriodicNs) / vcpu.PeriodicPeriodNs) + 1;
            nextPeriodicNs += periods * vcpu.PeriodicPeriodNs;
            fire = true;
        }

        return fire && vcpu.Domain.Events.RaiseVirq(Virq.Timer, vcpu.Id);
    }

    /// <summary>The earliest time a timer of <paramref name="vcpu"/> is due, or null when none is armed.</summary>
    public static ulong? NextDeadline(PvVcpu vcpu, ulong nextPeriodicNs)
    {
        ulong? next = vcpu.SingleShotDeadlineNs != 0 ? vcpu.SingleShotDeadlineNs : null;
        if (vcpu.PeriodicPeriodNs != 0 && nextPeriodicNs != 0)
        {
            next = next is { } n ? Math.Min(n, nextPeriodicNs) : nextPeriodicNs;
        }

        return next;
    }
}
