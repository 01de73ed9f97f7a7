using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Events;
using ActorVisor.Hypervisor.Grants;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>event_channel_op and grant_table_op: argument marshalling around the pure tables.</summary>
public static partial class Hypercalls
{
    private static long EventChannelOp(PvVcpu vcpu, int command, ulong argument)
    {
        var events = vcpu.Domain.Events;
        var memory = vcpu.Memory;
        int size = (EventChannelOp)command switch
        {
            Abi.EventChannelOp.AllocUnbound => EventChannelStructs.AllocUnboundSize,
            Abi.EventChannelOp.BindInterdomain => EventChannelStructs.BindInterdomainSize,
            Abi.EventChannelOp.BindVirq => EventChannelStructs.BindVirqSize,
            Abi.EventChannelOp.BindIpi => EventChannelStructs.BindIpiSize,
            Abi.EventChannelOp.BindVcpu => EventChannelStructs.BindVcpuSize,
            Abi.EventChannelOp.Close or Abi.EventChannelOp.Send or Abi.EventChannelOp.Unmask => EventChannelStructs.PortOnlySize,
            Abi.EventChannelOp.Status => EventChannelStructs.StatusSize,
            Abi.EventChannelOp.BindPirq => 12,
            _ => 0,
        };
        if (size == 0)
        {
            return Error(XenErrno.NoSys);
        }

        var arg = new byte[size];
        if (!memory.TryRead(argument, arg))
        {
            return Fault;
        }

        uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(arg.AsSpan(offset));
        DomId Dom(int offset) => new(BinaryPrimitives.ReadUInt16LittleEndian(arg.AsSpan(offset)));
        EventChannelError error;
        uint port;
        switch ((EventChannelOp)command)
        {
            case Abi.EventChannelOp.AllocUnbound:
                error = events.AllocUnbound(Dom(0), Dom(2), out port);
                return Finish(error, memory, argument + 4, port);
            case Abi.EventChannelOp.BindInterdomain:
                error = events.BindInterdomain(Dom(0), U32(4), out port);
                return Finish(error, memory, argument + 8, port);
            case Abi.EventChannelOp.BindVirq:
                error = events.BindVirq(U32(0), U32(4), out port);
                return Finish(error, memory, argument + 8, port);
            case Abi.EventChannelOp.BindIpi:
                error = events.BindIpi(U32(0), out port);
                return Finish(error, memory, argument + 4, port);
            case Abi.EventChannelOp.BindVcpu:
                return Error(events.BindVcpu(U32(0), U32(4)).ToErrno());
            case Abi.EventChannelOp.Close:
                return Error(events.Close(U32(0)).ToErrno());
            case Abi.EventChannelOp.Send:
                return Error(events.Send(U32(0)).ToErrno());
            case Abi.EventChannelOp.Unmask:
                return Error(events.Unmask(U32(0)).ToErrno());
            case Abi.EventChannelOp.Status:
                {
                    error = events.Status(Dom(0), U32(4), out var status);
                    if (error != EventChannelError.None)
                    {
                        return Error(error.ToErrno());
                    }

                    var output = new byte[16];
                    BinaryPrimitives.WriteUInt32LittleEndian(output, (uint)status.Status);
                    BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), status.Vcpu);
                    if (status.Status is EvtchnStatus.Unbound or EvtchnStatus.Interdomain)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(8), status.RemoteDomain.Value);
                        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(12), status.RemotePort);
                    }
                    else if (status.Status == EvtchnStatus.Virq)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(8), status.Virq);
                    }

                    return memory.TryWrite(argument + EventChannelStructs.StatusStatus, output) ? Ok : Fault;
                }

            default:
                return Error(EventChannelError.NotSupported.ToErrno());
        }
    }

    private static long Finish(EventChannelError error, GuestVirtualMemory memory, ulong portField, uint port)
    {
        if (error != EventChannelError.None)
        {
            return Error(error.ToErrno());
        }

        return memory.TryWriteUInt32(portField, port) ? Ok : Fault;
    }

    private static long GrantTableOp(PvVcpu vcpu, uint command, ulong ops, uint count)
    {
        var grants = vcpu.Domain.Grants;
        var memory = vcpu.Memory;
        bool is64 = vcpu.Domain.Width == GuestWidth.Bits64;
        switch ((GrantTableOp)command)
        {
            case Abi.GrantTableOp.SetupTable:
                {
                    if (count != 1)
                    {
                        return Error(XenErrno.Inval);
                    }

                    Span<byte> arg = stackalloc byte[is64 ? 24 : 16];
                    if (!memory.TryRead(ops, arg))
                    {
                        return Fault;
                    }

                    var dom = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(arg));
                    uint frames = BinaryPrimitives.ReadUInt32LittleEndian(arg[4..]);
                    ulong list = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(arg[16..]) : BinaryPrimitives.ReadUInt32LittleEndian(arg[12..]);
                    IReadOnlyList<ulong> mfns = [];
                    var status = dom == DomId.Self || dom == vcpu.Domain.Id ? grants.SetupTable(frames, out mfns) : GrantStatus.BadDomain;
                    if (status == GrantStatus.Okay)
                    {
                        for (int i = 0; i < (int)frames; i++)
                        {
                            if (!memory.TryWriteLong(list + (ulong)(i * (is64 ? 8 : 4)), mfns[i]))
                            {
                                return Fault;
                            }
                        }
                    }

                    return memory.TryWriteUInt16(ops + 8, (ushort)(short)status) ? Ok : Fault;
                }

            case Abi.GrantTableOp.QuerySize:
                {
                    var (frames, max) = grants.QuerySize();
                    bool ok = memory.TryWriteUInt32(ops + 4, frames) && memory.TryWriteUInt32(ops + 8, max) && memory.TryWriteUInt16(ops + 12, 0);
                    return ok ? Ok : Fault;
                }

            case Abi.GrantTableOp.SetVersion:
                {
                    if (!memory.TryReadUInt32(ops, out var version))
                    {
                        return Fault;
                    }

                    var errno = grants.SetVersion(version);
                    if (errno != XenErrno.None)
                    {
                        return Error(errno);
                    }

                    return memory.TryWriteUInt32(ops, (uint)grants.Version) ? Ok : Fault;
                }

            case Abi.GrantTableOp.GetVersion:
                return memory.TryWriteUInt32(ops + 4, (uint)grants.Version) ? Ok : Fault;
            case Abi.GrantTableOp.Copy:
                return GrantCopy(vcpu, ops, count);
            case Abi.GrantTableOp.MapGrantRef:
                return GrantMap(vcpu, ops, count);
            case Abi.GrantTableOp.UnmapGrantRef:
                return GrantUnmap(vcpu, ops, count);
            default:
                return Error(XenErrno.NoSys);
        }
    }

    private static long GrantCopy(PvVcpu vcpu, ulong ops, uint count)
    {
        bool is64 = vcpu.Domain.Width == GuestWidth.Bits64;
        int size = is64 ? 40 : 24;
        int dest = is64 ? 16 : 8;
        int length = is64 ? 32 : 16;
        var op = new byte[size];
        for (uint i = 0; i < count; i++)
        {
            ulong va = ops + (i * (ulong)size);
            if (!vcpu.Memory.TryRead(va, op))
            {
                return Fault;
            }

            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(length + 2));
            GrantCopySide Side(int offset, bool isRef)
            {
                uint refOrFrame = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(offset));
                var dom = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(offset + (is64 ? 8 : 4))));
                ushort offsetInPage = BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(offset + (is64 ? 10 : 6)));
                return new GrantCopySide(isRef, refOrFrame, dom, offsetInPage);
            }

            var status = vcpu.Domain.Grants.Copy(
                Side(0, (flags & GrantCopyFlags.SourceGref) != 0),
                Side(dest, (flags & GrantCopyFlags.DestGref) != 0),
                BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(length)));
            if (!vcpu.Memory.TryWriteUInt16(va + (ulong)length + 4, (ushort)(short)status))
            {
                return Fault;
            }
        }

        return Ok;
    }

    /// <summary>
    /// map_grant_ref: the grant is checked and referenced by the grant table. Device mappings
    /// complete here (dev_bus_addr = machine address); host mappings need the PTE installation
    /// path, which is not written yet, so they are released again and answered general_error.
    /// </summary>
    private static long GrantMap(PvVcpu vcpu, ulong ops, uint count)
    {
        var op = new byte[32];
        for (uint i = 0; i < count; i++)
        {
            ulong va = ops + (i * 32ul);
            if (!vcpu.Memory.TryRead(va, op))
            {
                return Fault;
            }

            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(8));
            uint gref = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(12));
            var dom = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(16)));
            var status = vcpu.Domain.Grants.Map(dom, gref, flags, out var mfn, out var handle);
            if (status == GrantStatus.Okay && (flags & GrantMapFlags.HostMap) != 0)
            {
                vcpu.Domain.Grants.Unmap(handle, out _);
                status = GrantStatus.GeneralError;
            }

            BinaryPrimitives.WriteInt16LittleEndian(op.AsSpan(18), (short)status);
            BinaryPrimitives.WriteUInt32LittleEndian(op.AsSpan(20), status == GrantStatus.Okay ? handle : 0);
            BinaryPrimitives.WriteUInt64LittleEndian(op.AsSpan(24), status == GrantStatus.Okay ? mfn << 12 : 0);
            if (!vcpu.Memory.TryWrite(va + 18, op.AsSpan(18)))
            {
                return Fault;
            }
        }

        return Ok;
    }

    private static long GrantUnmap(PvVcpu vcpu, ulong ops, uint count)
    {
        var op = new byte[24];
        for (uint i = 0; i < count; i++)
        {
            ulong va = ops + (i * 24ul);
            if (!vcpu.Memory.TryRead(va, op))
            {
                return Fault;
            }

            var status = vcpu.Domain.Grants.Unmap(BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(16)), out _);
            if (!vcpu.Memory.TryWriteUInt16(va + 20, (ushort)(short)status))
            {
                return Fault;
            }
        }

        return Ok;
    }
}
