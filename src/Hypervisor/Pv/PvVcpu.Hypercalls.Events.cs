using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>event_channel_op: argument structures in guest memory, logic in <see cref="EventChannels"/>.</summary>
public sealed partial class PvVcpu
{
    private long EventChannelOpCall(int command, ulong arg)
    {
        var events = _domain.Events;
        switch ((EventChannelOp)command)
        {
            case EventChannelOp.AllocUnbound:
                {
                    if (!_guest.TryReadU16(arg, out var dom) || !_guest.TryReadU16(arg + 2, out var remote))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    if (!IsSelf(dom))
                    {
                        return XenErrno.Perm.ToReturnValue();
                    }

                    var remoteDom = new DomId(remote);
                    if (!IsSelf(remote) && remoteDom != DomId.Dom0 && !_domain.Machine.HasDomain(remoteDom))
                    {
                        return XenErrno.Srch.ToReturnValue();
                    }

                    var error = events.AllocUnbound(remoteDom, out var port);
                    return Reply(error, arg + 4, port);
                }

            case EventChannelOp.BindInterdomain:
                {
                    if (!_guest.TryReadU16(arg, out var remote) || !_guest.TryReadU32(arg + 4, out var remotePort))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    var error = events.BindInterdomain(IsSelf(remote) ? DomId.Self : new DomId(remote), remotePort, out var port);
                    return Reply(error, arg + 8, port);
                }

            case EventChannelOp.BindVirq:
                {
                    if (!_guest.TryReadU32(arg, out var virq) || !_guest.TryReadU32(arg + 4, out var vcpu))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    var error = events.BindVirq(virq, (int)Math.Min(vcpu, int.MaxValue), out var port);
                    return Reply(error, arg + 8, port);
                }

            case EventChannelOp.BindIpi:
                {
                    if (!_guest.TryReadU32(arg, out var vcpu))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    var error = events.BindIpi((int)Math.Min(vcpu, int.MaxValue), out var port);
                    return Reply(error, arg + 4, port);
                }

            case EventChannelOp.BindVcpu:
                {
                    if (!_guest.TryReadU32(arg, out var port) || !_guest.TryReadU32(arg + 4, out var vcpu))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    return events.BindVcpu(port, (int)Math.Min(vcpu, int.MaxValue)).ToErrno().ToReturnValue();
                }

            case EventChannelOp.Close:
            case EventChannelOp.Send:
            case EventChannelOp.Unmask:
                {
                    if (!_guest.TryReadU32(arg, out var port))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    var error = (EventChannelOp)command switch
                    {
                        EventChannelOp.Close => events.Close(port),
                        EventChannelOp.Send => events.Send(port),
                        _ => events.Unmask(port),
                    };
                    return error.ToErrno().ToReturnValue();
                }

            case EventChannelOp.Status:
                return EventChannelStatus(arg);
            case EventChannelOp.BindPirq:
                return XenErrno.Perm.ToReturnValue();
            default:
                _domain.CountUnimplemented(((int)HypercallNumber.EventChannelOp << 8) | (command & 0xFF));
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    private bool IsSelf(ushort dom) => dom == DomId.Self.Value || dom == _domain.Id.Value;

    /// <summary>Writes the allocated port to the guest's structure on success; the errno otherwise.</summary>
    private long Reply(EventChannelError error, ulong portField, uint port)
    {
        if (error != EventChannelError.None)
        {
            return error.ToErrno().ToReturnValue();
        }

        if (!_guest.TryWriteU32(portField, port))
        {
            _domain.Events.Close(port);
            return XenErrno.Fault.ToReturnValue();
        }

        return 0;
    }

    private long EventChannelStatus(ulong arg)
    {
        if (!_guest.TryReadU16(arg + EventChannelStructs.StatusDom, out var dom) || !_guest.TryReadU32(arg + EventChannelStructs.StatusPort, out var port))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        var events = _domain.Events;
        if (!IsSelf(dom))
        {
            if (_domain.Machine.Find(new DomId(dom)) is null)
            {
                return XenErrno.Srch.ToReturnValue();
            }

            // Only a privileged domain may look at another domain's ports, and only one running here.
            if (!_domain.Memory.IsPrivileged || _domain.Host.FindPeer(new DomId(dom)) is not { } peer)
            {
                return XenErrno.Perm.ToReturnValue();
            }

            events = peer.Events;
        }

        if (port >= (uint)events.PortCount)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        var p = events[port];
        Span<byte> reply = stackalloc byte[16];
        reply.Clear();
        BitConverter.TryWriteBytes(reply, (uint)p.State);
        BitConverter.TryWriteBytes(reply[4..], (uint)p.NotifyVcpu);
        switch (p.State)
        {
            case EvtchnStatus.Unbound:
                BitConverter.TryWriteBytes(reply[8..], p.RemoteDom.Value);
                break;
            case EvtchnStatus.Interdomain:
                BitConverter.TryWriteBytes(reply[8..], p.RemoteDom.Value);
                BitConverter.TryWriteBytes(reply[12..], p.RemotePort);
                break;
            case EvtchnStatus.Virq:
                BitConverter.TryWriteBytes(reply[8..], p.Virq);
                break;
        }

        return _guest.TryWrite(arg + EventChannelStructs.StatusStatus, reply) ? 0 : XenErrno.Fault.ToReturnValue();
    }
}
