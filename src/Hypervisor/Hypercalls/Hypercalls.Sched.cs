using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>sched_op, set_timer_op and vcpu_op.</summary>
public static partial class Hypercalls
{
    /// <summary>Timer deadlines this far ahead (about 2^50 ns) or negative are treated as "now + 100 ms".</summary>
    private const ulong FarFutureNs = 1ul << 50;

    private const ulong ClampDelayNs = 100_000_000;

    /// <summary>The shortest periodic timer period a guest may ask for: 1 ms.</summary>
    private const ulong MinPeriodNs = 1_000_000;

    private static long SchedOp(PvVcpu vcpu, int command, ulong argument)
    {
        var domain = vcpu.Domain;
        switch ((SchedOp)command)
        {
            case Abi.SchedOp.Yield:
                vcpu.Request = SchedulingRequest.Yield;
                return Ok;
            case Abi.SchedOp.Block:
                domain.Shared.SetUpcallMask(vcpu.Id, false);
                vcpu.Request = domain.Shared.EventDeliverable(vcpu.Id) ? SchedulingRequest.None : SchedulingRequest.Block;
                return Ok;
            case Abi.SchedOp.Shutdown:
                {
                    if (!vcpu.Memory.TryReadUInt32(argument, out var reason))
                    {
                        return Fault;
                    }

                    if (reason > (uint)ShutdownReason.SoftReset)
                    {
                        return Error(XenErrno.Inval);
                    }

                    domain.ShutDown((ShutdownReason)reason);
                    return Ok;
                }

            case Abi.SchedOp.ShutdownCode:
                {
                    if (!vcpu.Memory.TryReadUInt32(argument, out var reason))
                    {
                        return Fault;
                    }

                    domain.ShutdownCode = (ShutdownReason)reason;
                    return Ok;
                }

            case Abi.SchedOp.Poll:
                return Poll(vcpu, argument);
            case Abi.SchedOp.RemoteShutdown:
                {
                    Span<byte> arg = stackalloc byte[8];
                    if (!vcpu.Memory.TryRead(argument, arg))
                    {
                        return Fault;
                    }

                    if (!domain.Memory.IsPrivileged)
                    {
                        return Error(XenErrno.Perm);
                    }

                    var target = domain.Directory(new DomId(BinaryPrimitives.ReadUInt16LittleEndian(arg)));
                    if (target is null)
                    {
                        return Error(XenErrno.Srch);
                    }

                    target.ShutDown((ShutdownReason)BinaryPrimitives.ReadUInt32LittleEndian(arg[4..]));
                    return Ok;
                }

            default:
                return Error(XenErrno.NoSys);
        }
    }

    private static long Poll(PvVcpu vcpu, ulong argument)
    {
        bool is64 = vcpu.Domain.Width == GuestWidth.Bits64;
        Span<byte> arg = stackalloc byte[is64 ? 24 : 16];
        if (!vcpu.Memory.TryRead(argument, arg))
        {
            return Fault;
        }

        ulong portsVa = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(arg) : BinaryPrimitives.ReadUInt32LittleEndian(arg);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(arg[(is64 ? 8 : 4)..]);
        ulong timeout = BinaryPrimitives.ReadUInt64LittleEndian(arg[(is64 ? 16 : 8)..]);
        if (count > SchedLimits.MaxPollPorts)
        {
            return Error(XenErrno.Inval);
        }

        var ports = new uint[count];
        for (int i = 0; i < ports.Length; i++)
        {
            if (!vcpu.Memory.TryReadUInt32(portsVa + (ulong)(i * 4), out ports[i]))
            {
                return Fault;
            }

            if (ports[i] >= (uint)vcpu.Domain.Events.MaxPorts)
            {
                return Error(XenErrno.Inval);
            }

            if (vcpu.Domain.Shared.IsPending(ports[i]))
            {
                return Ok;
            }
        }

        if (vcpu.Domain.Shared.EventDeliverable(vcpu.Id))
        {
            return Ok;
        }

        vcpu.PollPorts = ports;
        vcpu.PollTimeoutNs = timeout;
        vcpu.Request = SchedulingRequest.Poll;
        return Ok;
    }

    private static long SetTimerOp(PvVcpu vcpu, ulong deadline)
    {
        if (deadline == 0)
        {
            vcpu.SingleShotDeadlineNs = 0;
            return Ok;
        }

        ulong now = vcpu.Domain.SystemTimeNs();
        if ((long)deadline < 0 || (deadline > now && deadline - now > FarFutureNs))
        {
            deadline = now + ClampDelayNs;
        }

        vcpu.SingleShotDeadlineNs = deadline;
        return Ok;
    }

    private static long VcpuOp(PvVcpu vcpu, int command, uint target, ulong argument)
    {
        var domain = vcpu.Domain;
        if (target >= (uint)domain.Vcpus.Count)
        {
            return Error(XenErrno.NoEnt);
        }

        var v = domain.Vcpus[(int)target];
        switch ((VcpuOp)command)
        {
            case Abi.VcpuOp.IsUp:
                return v.IsUp ? 1 : 0;
            case Abi.VcpuOp.Up:
                v.IsUp = true;
                return Ok;
            case Abi.VcpuOp.Down:
                v.IsUp = false;
                if (v == vcpu)
                {
                    vcpu.Request = SchedulingRequest.Block;
                }

                return Ok;
            case Abi.VcpuOp.SetPeriodicTimer:
                {
                    if (!vcpu.Memory.TryReadUInt64(argument, out var period))
                    {
                        return Fault;
                    }

                    if (period < MinPeriodNs)
                    {
                        return Error(XenErrno.Inval);
                    }

                    v.PeriodicPeriodNs = period;
                    return Ok;
                }

            case Abi.VcpuOp.StopPeriodicTimer:
                v.PeriodicPeriodNs = 0;
                return Ok;
            case Abi.VcpuOp.SetSingleshotTimer:
                {
                    if (v != vcpu)
                    {
                        return Error(XenErrno.Inval);
                    }

                    if (!vcpu.Memory.TryReadUInt64(argument, out var deadline))
                    {
                        return Fault;
                    }

                    v.SingleShotDeadlineNs = Math.Max(deadline, 1);
                    return Ok;
                }

            case Abi.VcpuOp.StopSingleshotTimer:
                v.SingleShotDeadlineNs = 0;
                return Ok;
            case Abi.VcpuOp.GetRunstateInfo:
                return WriteRunstate(vcpu, v, argument);
            default:
                return Error(XenErrno.NoSys);
        }
    }

    private static long WriteRunstate(PvVcpu caller, PvVcpu target, ulong argument)
    {
        bool is64 = caller.Domain.Width == GuestWidth.Bits64;
        var info = new byte[is64 ? 48 : 44];
        var state = target.IsUp ? RunstateKind.Running : RunstateKind.Offline;
        BinaryPrimitives.WriteUInt32LittleEndian(info, (uint)state);
        int times = is64 ? 16 : 12;
        BinaryPrimitives.WriteUInt64LittleEndian(info.AsSpan(times - 8), 0);
        BinaryPrimitives.WriteUInt64LittleEndian(info.AsSpan(times + ((int)state * 8)), caller.Domain.SystemTimeNs());
        return caller.Memory.TryWrite(argument, info) ? Ok : Fault;
    }
}
