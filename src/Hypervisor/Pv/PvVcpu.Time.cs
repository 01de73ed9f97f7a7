using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv.Time;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// Time and timers of one vCPU, all in the domain's virtual time: vcpu_time_info (version odd while
/// it changes, even when stable; scale consistent with RDTSC), the one-shot timer of set_timer_op
/// and VCPUOP_set_singleshot_timer, the periodic timer (Xen's default 10 ms), and blocking.
/// </summary>
public sealed partial class PvVcpu
{
    /// <summary>Writes vcpu_info.time from the virtual clock with the odd/even version protocol, and its registered copy.</summary>
    private void UpdateTimeInfo()
    {
        var time = _domain.SharedInfo.VcpuInfo(Id)[_domain.SharedInfo.VcpuLayout.Time..];
        uint odd = BinaryPrimitives.ReadUInt32LittleEndian(time) | 1;
        BinaryPrimitives.WriteUInt32LittleEndian(time, odd);
        ulong tsc = _domain.Clock.Tsc;
        BinaryPrimitives.WriteUInt64LittleEndian(time[VcpuTimeInfoLayout.TscTimestamp..], tsc);
        BinaryPrimitives.WriteUInt64LittleEndian(time[VcpuTimeInfoLayout.SystemTime..], (ulong)_domain.Clock.NowNs);
        BinaryPrimitives.WriteUInt32LittleEndian(time[VcpuTimeInfoLayout.TscToSystemMul..], VirtualClock.TscToSystemMul);
        time[VcpuTimeInfoLayout.TscShift] = unchecked((byte)VirtualClock.TscShift);
        time[VcpuTimeInfoLayout.Flags] = VcpuTimeInfoLayout.FlagTscStable;
        BinaryPrimitives.WriteUInt32LittleEndian(time, odd + 1);
        UpdateTimeMemoryArea(time);
    }

    /// <summary>Raises VIRQ_TIMER for every timer whose deadline has passed.</summary>
    private void FireDueTimers()
    {
        long now = _domain.Clock.NowNs;
        if (_singleshotDeadlineNs > 0 && now >= _singleshotDeadlineNs)
        {
            _singleshotDeadlineNs = 0;
            _domain.Events.RaiseVirq(Virq.Timer, Id);
        }

        if (_periodicNs > 0 && _domain.Events.IsVirqBound(Virq.Timer, Id))
        {
            if (_periodicNextNs == 0)
            {
                _periodicNextNs = now + _periodicNs;
            }
            else if (now >= _periodicNextNs)
            {
                _domain.Events.RaiseVirq(Virq.Timer, Id);
                _periodicNextNs = now + _periodicNs;
            }
        }
    }

    /// <summary>Arms the one-shot timer at absolute system time <paramref name="deadlineNs"/> (0 cancels); past deadlines fire at once.</summary>
    private void SetSingleshot(long deadlineNs)
    {
        const long FarFutureNs = 1L << 50;
        long now = _domain.Clock.NowNs;
        if (deadlineNs < 0 || deadlineNs - now > FarFutureNs)
        {
            deadlineNs = now + 100_000_000;
        }

        _singleshotDeadlineNs = deadlineNs;
        if (deadlineNs > 0 && deadlineNs <= now)
        {
            _singleshotDeadlineNs = 0;
            _domain.Events.RaiseVirq(Virq.Timer, Id);
        }
    }

    /// <summary>Leaves the blocked state when an event is deliverable, a polled port is pending, or the poll timed out.</summary>
    private bool TryWake()
    {
        bool wake = _domain.SharedInfo.EventDeliverable(Id);
        if (!wake && _pollPorts is { } ports)
        {
            foreach (var port in ports)
            {
                wake |= _domain.Events.IsPending(port);
            }

            wake |= _pollTimeoutNs > 0 && _domain.Clock.NowNs >= _pollTimeoutNs;
        }

        if (wake)
        {
            _blocked = false;
            _pollPorts = null;
            _pollTimeoutNs = 0;
        }

        return wake;
    }

    /// <summary>
    /// Called by the driver when every vCPU is blocked: moves virtual time to this vCPU's next
    /// timer deadline and fires it. False when nothing can ever wake the vCPU.
    /// </summary>
    public bool IdleToNextDeadline()
    {
        if (NextTimerDeadlineNs is not { } deadline)
        {
            return false;
        }

        _domain.Clock.IdleUntil(deadline);
        FireDueTimers();
        return true;
    }
}
