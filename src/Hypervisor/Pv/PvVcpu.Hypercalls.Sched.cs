using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>sched_op and vcpu_op: yielding, blocking, polling, shutdown, vCPU timers and queries.</summary>
public sealed partial class PvVcpu
{
    private long SchedOpCall(int command, ulong arg)
    {
        switch ((SchedOp)command)
        {
            case SchedOp.Yield:
                _stopWith = new SliceResult(SliceOutcome.Yielded, 0);
                return 0;
            case SchedOp.Block:
                _domain.SharedInfo.SetUpcallMask(Id, false);
                if (!_domain.SharedInfo.EventDeliverable(Id))
                {
                    _blocked = true;
                    _stopWith = new SliceResult(SliceOutcome.Blocked, 0);
                }

                return 0;
            case SchedOp.Shutdown:
                if (!_guest.TryReadU32(arg, out var reason))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                var why = reason <= (uint)ShutdownReason.SoftReset ? (ShutdownReason)reason : ShutdownReason.Crash;
                _domain.RequestShutdown(why);
                _stopWith = new SliceResult(SliceOutcome.ShutDown, 0, why);
                return 0;
            case SchedOp.ShutdownCode:
                if (!_guest.TryReadU32(arg, out var code))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                _domain.ShutdownCode = (ShutdownReason)code;
                return 0;
            case SchedOp.Poll:
                return Poll(arg);
            case SchedOp.RemoteShutdown:
                return (_domain.Memory.IsPrivileged ? XenErrno.Srch : XenErrno.Perm).ToReturnValue();
            default:
                _domain.CountUnimplemented(((int)HypercallNumber.SchedOp << 8) | (command & 0xFF));
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    /// <summary>SCHEDOP_poll {ports, nr_ports, timeout}: sleep until a listed port is pending, an event is deliverable, or the timeout.</summary>
    private long Poll(ulong arg)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        if (!_guest.TryReadLong(arg, out var portsPtr) || !_guest.TryReadU32(arg + (is64 ? 8ul : 4ul), out var count)
            || !_guest.TryReadU64(arg + (is64 ? 16ul : 8ul), out var timeout))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        if (!_domain.SharedInfo.UpcallMasked(Id) || count > SchedLimits.MaxPollPorts)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        var ports = new uint[count];
        bool anyPending = false;
        for (int i = 0; i < count; i++)
        {
            if (!_guest.TryReadU32(portsPtr + (ulong)(i * 4), out ports[i]))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            if (ports[i] >= (uint)_domain.Events.PortCount)
            {
                return XenErrno.Inval.ToReturnValue();
            }

            anyPending |= _domain.Events.IsPending(ports[i]);
        }

        if (anyPending || (timeout != 0 && (long)timeout <= _domain.Clock.NowNs))
        {
            return 0;
        }

        _blocked = true;
        _pollPorts = ports;
        _pollTimeoutNs = (long)timeout;
        _stopWith = new SliceResult(SliceOutcome.Blocked, 0);
        return 0;
    }

    private long VcpuOpCall(int command, uint vcpuId, ulong arg)
    {
        if (vcpuId >= (uint)_domain.Vcpus.Count)
        {
            return XenErrno.NoEnt.ToReturnValue();
        }

        var target = _domain.Vcpus[(int)vcpuId];
        bool self = ReferenceEquals(target, this);
        bool is64 = _domain.Width == GuestWidth.Bits64;
        switch ((VcpuOp)command)
        {
            case VcpuOp.IsUp:
                return target._online ? 1 : 0;
            case VcpuOp.Initialise:
                return InitialiseVcpu(target, arg);
            case VcpuOp.Up:
                return UpVcpu(target);
            case VcpuOp.Down:
                target._online = false;
                if (self)
                {
                    _stopWith = new SliceResult(SliceOutcome.Offline, 0);
                }

                return 0;
            case VcpuOp.GetRunstateInfo:
                return WriteRunstate(target, arg) ? 0 : XenErrno.Fault.ToReturnValue();
            case VcpuOp.RegisterRunstateMemoryArea:
                if (!_guest.TryReadLong(arg, out var area))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                target._runstateAreaVa = area;
                return area == 0 || WriteRunstate(target, area) ? 0 : XenErrno.Fault.ToReturnValue();
            case VcpuOp.RegisterVcpuTimeMemoryArea:
                return RegisterTimeMemoryArea(target, arg);
            case VcpuOp.SetPeriodicTimer:
                if (!_guest.TryReadU64(arg, out var period))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                if (period < 1_000_000)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                target._periodicNs = (long)period;
                target._periodicNextNs = _domain.Clock.NowNs + (long)period;
                return 0;
            case VcpuOp.StopPeriodicTimer:
                target._periodicNs = 0;
                return 0;
            case VcpuOp.SetSingleshotTimer:
                if (!self)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                if (!_guest.TryReadU64(arg, out var deadline))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                SetSingleshot((long)deadline);
                return 0;
            case VcpuOp.StopSingleshotTimer:
                if (!self)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                _singleshotDeadlineNs = 0;
                return 0;
            case VcpuOp.RegisterVcpuInfo:
                if (!_guest.TryReadU64(arg, out var mfn) || !_guest.TryReadU32(arg + 8, out var offset))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                if (_domain.SharedInfo.IsVcpuInfoRegistered(target.Id))
                {
                    return XenErrno.Busy.ToReturnValue();
                }

                var frames = _domain.Machine.Frames;
                if (offset > PageGeometry.PageSize - VcpuInfoLayout.Size || !frames.Contains(mfn) || frames[mfn].Owner != _domain.Id)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                _domain.SharedInfo.RegisterVcpuInfo(target.Id, mfn, (int)offset);
                Cpu.InvalidateCodeFrame(mfn);
                target.UpdateTimeInfo();
                return 0;
            default:
                _ = is64;
                _domain.CountUnimplemented(((int)HypercallNumber.VcpuOp << 8) | (command & 0xFF));
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    /// <summary>Writes vcpu_runstate_info: the running vCPU has spent all its time running, the others all offline or blocked.</summary>
    private bool WriteRunstate(PvVcpu target, ulong va)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        int timesOffset = is64 ? 16 : 12;
        long now = _domain.Clock.NowNs;
        var state = !target._online ? RunstateKind.Offline : target._blocked ? RunstateKind.Blocked : ReferenceEquals(target, this) ? RunstateKind.Running : RunstateKind.Runnable;
        Span<byte> bytes = stackalloc byte[timesOffset + 32];
        bytes.Clear();
        BitConverter.TryWriteBytes(bytes, (uint)state);
        BitConverter.TryWriteBytes(bytes[(is64 ? 8 : 4)..], 0ul);
        BitConverter.TryWriteBytes(bytes[(timesOffset + ((int)state * 8))..], (ulong)now);
        return _guest.TryWrite(va, bytes);
    }
}
