using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Grants;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>grant_table_op: argument structures in guest memory, logic in <see cref="GrantTable"/>.</summary>
public sealed partial class PvVcpu
{
    private long GrantTableOpCall(uint command, ulong ops, uint count)
    {
        var grants = _domain.Grants;
        var memory = _guest;
        bool is64 = _domain.Width == GuestWidth.Bits64;
        switch ((Abi.GrantTableOp)command)
        {
            case Abi.GrantTableOp.SetupTable:
                {
                    if (count != 1)
                    {
                        return XenErrno.Inval.ToReturnValue();
                    }

                    Span<byte> arg = stackalloc byte[is64 ? 24 : 16];
                    if (!memory.TryRead(ops, arg))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    var dom = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(arg));
                    uint frames = BinaryPrimitives.ReadUInt32LittleEndian(arg[4..]);
                    ulong list = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(arg[16..]) : BinaryPrimitives.ReadUInt32LittleEndian(arg[12..]);
                    IReadOnlyList<ulong> mfns = [];
                    var status = dom == DomId.Self || dom == _domain.Id ? grants.SetupTable(frames, out mfns) : GrantStatus.BadDomain;
                    if (status == GrantStatus.Okay)
                    {
                        for (int i = 0; i < (int)frames; i++)
                        {
                            if (!memory.TryWriteLong(list + (ulong)(i * (is64 ? 8 : 4)), mfns[i]))
                            {
                                return XenErrno.Fault.ToReturnValue();
                            }
                        }
                    }

                    return memory.TryWriteU16(ops + 8, (ushort)(short)status) ? 0 : XenErrno.Fault.ToReturnValue();
                }

            case Abi.GrantTableOp.QuerySize:
                {
                    var (frames, max) = grants.QuerySize();
                    bool ok = memory.TryWriteU32(ops + 4, frames) && memory.TryWriteU32(ops + 8, max) && memory.TryWriteU16(ops + 12, 0);
                    return ok ? 0 : XenErrno.Fault.ToReturnValue();
                }

            case Abi.GrantTableOp.SetVersion:
                {
                    if (!memory.TryReadU32(ops, out var version))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    var errno = grants.SetVersion(version);
                    if (errno != XenErrno.None)
                    {
                        return errno.ToReturnValue();
                    }

                    return memory.TryWriteU32(ops, (uint)grants.Version) ? 0 : XenErrno.Fault.ToReturnValue();
                }

            case Abi.GrantTableOp.GetVersion:
                return memory.TryWriteU32(ops + 4, (uint)grants.Version) ? 0 : XenErrno.Fault.ToReturnValue();
            case Abi.GrantTableOp.Copy:
                return GrantCopy(ops, count);
            case Abi.GrantTableOp.MapGrantRef:
                return GrantMap(ops, count);
            case Abi.GrantTableOp.UnmapGrantRef:
                return GrantUnmap(ops, count);
            case Abi.GrantTableOp.Transfer:
                return GrantTransfer(ops, count);
            default:
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    private long GrantCopy(ulong ops, uint count)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        int size = is64 ? 40 : 24;
        int dest = is64 ? 16 : 8;
        int length = is64 ? 32 : 16;
        var op = new byte[size];
        for (uint i = 0; i < count; i++)
        {
            ulong va = ops + (i * (ulong)size);
            if (!_guest.TryRead(va, op))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(length + 2));
            GrantCopySide Side(int offset, bool isRef)
            {
                uint refOrFrame = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(offset));
                var dom = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(offset + (is64 ? 8 : 4))));
                ushort offsetInPage = BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(offset + (is64 ? 10 : 6)));
                return new GrantCopySide(isRef, refOrFrame, dom, offsetInPage);
            }

            var status = _domain.Grants.Copy(
                Side(0, (flags & GrantCopyFlags.SourceGref) != 0),
                Side(dest, (flags & GrantCopyFlags.DestGref) != 0),
                BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(length)));
            if (!_guest.TryWriteU16(va + (ulong)length + 4, (ushort)(short)status))
            {
                return XenErrno.Fault.ToReturnValue();
            }
        }

        return 0;
    }

    /// <summary>
    /// map_grant_ref: the grant table checks and references the grant; a host mapping is then
    /// written at host_addr in the caller's current page tables (a grant PTE, bit 62), or, with
    /// GNTMAP_contains_pte, into the PTE whose machine address host_addr is.
    /// </summary>
    private long GrantMap(ulong ops, uint count)
    {
        var op = new byte[32];
        var domain = _domain;
        for (uint i = 0; i < count; i++)
        {
            ulong va = ops + (i * 32ul);
            if (!_guest.TryRead(va, op))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            ulong hostAddress = BinaryPrimitives.ReadUInt64LittleEndian(op);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(8));
            uint gref = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(12));
            var dom = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(16)));
            ulong mfn = 0;
            uint handle = 0;
            var status = domain.Grants.Map(dom, gref, flags, out mfn, out handle);
            if (status == GrantStatus.Okay && (flags & GrantMapFlags.HostMap) != 0)
            {
                bool readOnly = (flags & GrantMapFlags.ReadOnly) != 0;
                var tables = domain.Machine.PageTables;
                var installed = (flags & GrantMapFlags.ContainsPte) != 0
                    ? tables.InstallGrantMappingAtPte(domain.Memory, hostAddress, mfn, readOnly, _flush)
                    : tables.InstallGrantMapping(domain.Memory, _mmu, hostAddress, mfn, readOnly, _flush);
                if (installed != Memory.PageTableError.None)
                {
                    domain.Grants.Unmap(handle, out _);
                    status = GrantStatus.GeneralError;
                }
            }

            BinaryPrimitives.WriteInt16LittleEndian(op.AsSpan(18), (short)status);
            BinaryPrimitives.WriteUInt32LittleEndian(op.AsSpan(20), status == GrantStatus.Okay ? handle : 0);
            BinaryPrimitives.WriteUInt64LittleEndian(op.AsSpan(24), status == GrantStatus.Okay ? mfn << 12 : 0);
            if (!_guest.TryWrite(va + 18, op.AsSpan(18)))
            {
                return XenErrno.Fault.ToReturnValue();
            }
        }

        return 0;
    }

    private long GrantUnmap(ulong ops, uint count)
    {
        var op = new byte[24];
        var domain = _domain;
        for (uint i = 0; i < count; i++)
        {
            ulong va = ops + (i * 24ul);
            if (!_guest.TryRead(va, op))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            ulong hostAddress = BinaryPrimitives.ReadUInt64LittleEndian(op);
            uint handle = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(16));
            GrantStatus status;
            if (!domain.Grants.TryGetMapping(handle, out var mfn, out _, out bool containsPte))
            {
                status = GrantStatus.BadHandle;
            }
            else if (hostAddress != 0 && (containsPte
                ? domain.Machine.PageTables.RemoveGrantMappingAtPte(domain.Memory, hostAddress, mfn, _flush)
                : domain.Machine.PageTables.RemoveGrantMapping(domain.Memory, _mmu, hostAddress, mfn, _flush)) != Memory.PageTableError.None)
            {
                status = GrantStatus.BadVirtAddr;
            }
            else
            {
                status = domain.Grants.Unmap(handle, out _);
            }

            if (!_guest.TryWriteU16(va + 20, (ushort)(short)status))
            {
                return XenErrno.Fault.ToReturnValue();
            }
        }

        return 0;
    }

    /// <summary>
    /// GNTTABOP_transfer, as Xen does it for PV domains: for each operation the caller gives up the
    /// frame it names by MFN (its own, unmapped, untyped, unpinned and referenced by nothing else,
    /// else GNTST_bad_page), its M2P entry becomes invalid and its TLBs are flushed; then the
    /// receiver named by domid takes it through its grant entry ref, through the seam
    /// (<see cref="IDomainHost.TransferPage"/>). As on Xen, a page given up stays given up: when
    /// the receiver does not exist (GNTST_bad_domain) or refuses it (GNTST_general_error: no
    /// headroom in its reservation, being destroyed, or an entry that does not accept a transfer
    /// from the caller), the frame goes back to the machine's free pool, not to the caller.
    /// </summary>
    private long GrantTransfer(ulong ops, uint count)
    {
        var layout = GrantTransferLayout.For(_domain.Width);
        var op = new byte[layout.Size];
        for (uint i = 0; i < count; i++)
        {
            ulong va = ops + (i * (ulong)layout.Size);
            if (!_guest.TryRead(va, op))
            {
                return XenErrno.Fault.ToReturnValue();
            }

            ulong mfn = _domain.Width == GuestWidth.Bits64 ? BinaryPrimitives.ReadUInt64LittleEndian(op) : BinaryPrimitives.ReadUInt32LittleEndian(op);
            var receiver = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(op.AsSpan(layout.DomId)));
            uint gref = BinaryPrimitives.ReadUInt32LittleEndian(op.AsSpan(layout.Ref));
            var status = TransferOne(mfn, receiver, gref);
            if (!_guest.TryWriteU16(va + (ulong)layout.Status, (ushort)(short)status))
            {
                return XenErrno.Fault.ToReturnValue();
            }
        }

        return 0;
    }

    private GrantStatus TransferOne(ulong mfn, DomId receiver, uint gref)
    {
        var machine = _domain.Machine;
        if (!machine.Frames.Contains(mfn) || !_domain.Reservation.TryGiveAway(mfn))
        {
            return GrantStatus.BadPage;
        }

        _flush.RequestFlushAll();
        var status = _domain.Host.TransferPage(receiver, gref, _domain.Id, mfn);
        if (status != GrantStatus.Okay)
        {
            machine.Frames.Free(mfn);
        }

        return status;
    }
}
