using System.Text;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>console_io, xen_version, memory_op, physdev_op and vm_assist.</summary>
public sealed partial class PvVcpu
{
    /// <summary>Largest console_io write accepted in one call; longer writes are refused with -EINVAL.</summary>
    private const uint MaxConsoleWriteBytes = 64 * 1024;

    /// <summary>XENVER_get_features bits Xen reports to a PV domU (see the ABI brief §5.9).</summary>
    private const uint PvFeatures = 0x1E_20E0;
    private const uint FeaturePaePgdirAbove4Gb = 1u << 4;

    private long ConsoleIo(int command, uint count, ulong buffer)
    {
        switch ((ConsoleIoOp)command)
        {
            case ConsoleIoOp.Write:
                if (count > MaxConsoleWriteBytes)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                var bytes = new byte[count];
                if (!_guest.TryRead(buffer, bytes))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                _domain.Host.ConsoleWritten(_domain.Id, Encoding.Latin1.GetString(bytes));
                return 0;
            case ConsoleIoOp.Read:
                return XenErrno.Perm.ToReturnValue();
            default:
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    private long XenVersion(int command, ulong arg)
    {
        bool is64 = _domain.Width == GuestWidth.Bits64;
        switch ((XenVersionOp)command)
        {
            case XenVersionOp.Version:
                return PvCpuidPolicy.XenVersion;
            case XenVersionOp.ExtraVersion:
                return WriteString(arg, ".0-actorvisor", XenVersionSizes.ExtraVersion);
            case XenVersionOp.CompileInfo:
                {
                    var info = new byte[XenVersionSizes.CompileInfo];
                    Encoding.ASCII.GetBytes("dotnet").CopyTo(info, 0);
                    Encoding.ASCII.GetBytes("actorvisor").CopyTo(info, 64);
                    Encoding.ASCII.GetBytes("localdomain").CopyTo(info, 80);
                    Encoding.ASCII.GetBytes("2026-01-01").CopyTo(info, 112);
                    return _guest.TryWrite(arg, info) ? 0 : XenErrno.Fault.ToReturnValue();
                }

            case XenVersionOp.Capabilities:
                return WriteString(arg, "xen-3.0-x86_64 xen-3.0-x86_32p", XenVersionSizes.Capabilities);
            case XenVersionOp.Changeset:
                return WriteString(arg, "actorvisor", XenVersionSizes.Changeset);
            case XenVersionOp.PlatformParameters:
                return _guest.TryWriteLong(arg, is64 ? HypervisorLayout.VirtStart64 : HypervisorLayout.CompatVirtStart32) ? 0 : XenErrno.Fault.ToReturnValue();
            case XenVersionOp.GetFeatures:
                if (!_guest.TryReadU32(arg, out var index))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                if (index != 0)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                uint features = PvFeatures | ((_domain.VmAssists & (1u << VmAssist.TypePaeExtendedCr3)) != 0 ? FeaturePaePgdirAbove4Gb : 0);
                return _guest.TryWriteU32(arg + 4, features) ? 0 : XenErrno.Fault.ToReturnValue();
            case XenVersionOp.PageSize:
                return arg == 0 ? PageGeometry.PageSize : XenErrno.Inval.ToReturnValue();
            case XenVersionOp.GuestHandle:
                {
                    var handle = new byte[XenVersionSizes.GuestHandle];
                    BitConverter.TryWriteBytes(handle, _domain.Id.Value);
                    return _guest.TryWrite(arg, handle) ? 0 : XenErrno.Fault.ToReturnValue();
                }

            case XenVersionOp.CommandLine:
                return WriteString(arg, "", XenVersionSizes.CommandLine);
            case XenVersionOp.BuildId:
                return XenErrno.NoData.ToReturnValue();
            default:
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    private long WriteString(ulong arg, string text, int size)
    {
        var bytes = new byte[size];
        Encoding.ASCII.GetBytes(text).AsSpan(0, Math.Min(text.Length, size - 1)).CopyTo(bytes);
        return _guest.TryWrite(arg, bytes) ? 0 : XenErrno.Fault.ToReturnValue();
    }

    private long MemoryOp(ulong commandWord, ulong arg)
    {
        const ulong CommandMask = 0x3F;
        bool is64 = _domain.Width == GuestWidth.Bits64;
        var command = (Abi.MemoryOp)(commandWord & CommandMask);
        switch (command)
        {
            case Abi.MemoryOp.CurrentReservation:
            case Abi.MemoryOp.MaximumReservation:
            case Abi.MemoryOp.MaximumGpfn:
                if (!_guest.TryReadU16(arg, out var dom))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                if (!IsSelf(dom))
                {
                    return (_domain.Machine.Find(new DomId(dom)) is null ? XenErrno.Srch : XenErrno.Perm).ToReturnValue();
                }

                return command switch
                {
                    Abi.MemoryOp.CurrentReservation => (long)_domain.Reservation.CurrentPages,
                    Abi.MemoryOp.MaximumReservation => (long)_domain.Reservation.MaximumPages,
                    _ => (long)_domain.Reservation.HighestPfn,
                };
            case Abi.MemoryOp.MaximumRamPage:
                return (long)(_domain.Machine.Memory.FrameCount - 1);
            case Abi.MemoryOp.MemoryMap:
                {
                    if (!_guest.TryReadU32(arg, out var capacity) || !_guest.TryReadLong(arg + (is64 ? 8ul : 4ul), out var buffer))
                    {
                        return XenErrno.Fault.ToReturnValue();
                    }

                    if (capacity < 1)
                    {
                        return XenErrno.Inval.ToReturnValue();
                    }

                    Span<byte> entry = stackalloc byte[E820Entry.Size];
                    BitConverter.TryWriteBytes(entry, 0ul);
                    BitConverter.TryWriteBytes(entry[8..], _domain.Reservation.MaximumPages * PageGeometry.PageSize);
                    BitConverter.TryWriteBytes(entry[16..], E820Entry.TypeRam);
                    return _guest.TryWrite(buffer, entry) && _guest.TryWriteU32(arg, 1) ? 0 : XenErrno.Fault.ToReturnValue();
                }

            case Abi.MemoryOp.MachphysMapping:
                {
                    ulong start = is64 ? HypervisorLayout.VirtStart64 : HypervisorLayout.CompatVirtStart32;
                    ulong end = is64 ? HypervisorLayout.MachToPhysEnd64 : HypervisorLayout.CompatMachToPhysEnd32;
                    ulong maxMfn = ((end - start) / (ulong)_domain.Width.LongSize()) - 1;
                    int size = _domain.Width.LongSize();
                    return _guest.TryWriteLong(arg, start) && _guest.TryWriteLong(arg + (ulong)size, end) && _guest.TryWriteLong(arg + (ulong)(2 * size), maxMfn)
                        ? 0
                        : XenErrno.Fault.ToReturnValue();
                }

            case Abi.MemoryOp.IncreaseReservation:
            case Abi.MemoryOp.DecreaseReservation:
            case Abi.MemoryOp.PopulatePhysmap:
                return Reservation(command, arg);
            default:
                _domain.CountUnimplemented(((int)HypercallNumber.MemoryOp << 8) | (int)command);
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    /// <summary>The largest extent order an unprivileged domain may ask for (Xen's default domU_max_order).</summary>
    private const uint MaxExtentOrder = 9;

    /// <summary>
    /// increase/decrease_reservation and populate_physmap: each extent is 2^extent_order machine-contiguous
    /// frames named by its first MFN (PV guests see machine frames); returns the number of extents done.
    /// </summary>
    private long Reservation(Abi.MemoryOp command, ulong arg)
    {
        var layout = MemoryReservationLayout.For(_domain.Width);
        if (!_guest.TryReadLong(arg + (ulong)layout.ExtentStart, out var extents) || !_guest.TryReadLong(arg + (ulong)layout.NrExtents, out var count)
            || !_guest.TryReadU32(arg + (ulong)layout.ExtentOrder, out var order) || !_guest.TryReadU16(arg + (ulong)layout.DomId, out var dom))
        {
            return XenErrno.Fault.ToReturnValue();
        }

        if (!IsSelf(dom))
        {
            return (_domain.Machine.Find(new DomId(dom)) is null ? XenErrno.Srch : XenErrno.Perm).ToReturnValue();
        }

        if (order > MaxExtentOrder)
        {
            // Xen refuses extents larger than a guest may ask for by doing none of them.
            return 0;
        }

        int longSize = _domain.Width.LongSize();
        long done = 0;
        for (ulong i = 0; i < count; i++)
        {
            ulong slot = extents + (i * (ulong)longSize);
            switch (command)
            {
                case Abi.MemoryOp.IncreaseReservation:
                    if (!_domain.Reservation.TryAllocateExtent((int)order, out var mfn))
                    {
                        return done;
                    }

                    if (extents != 0 && !_guest.TryWriteLong(slot, mfn))
                    {
                        _domain.Reservation.ReleaseExtent(mfn, (int)order);
                        return done;
                    }

                    break;
                case Abi.MemoryOp.PopulatePhysmap:
                    if (!_guest.TryReadLong(slot, out var gpfn) || !_domain.Reservation.TryAllocateExtent((int)order, out var populated))
                    {
                        return done;
                    }

                    if (!_guest.TryWriteLong(slot, populated))
                    {
                        _domain.Reservation.ReleaseExtent(populated, (int)order);
                        return done;
                    }

                    for (ulong page = 0; page < 1ul << (int)order; page++)
                    {
                        _domain.Machine.MachineToPhys[populated + page] = gpfn + page;
                    }

                    break;
                default:
                    if (!_guest.TryReadLong(slot, out var gmfn) || !_domain.Reservation.TryReleaseExtent(gmfn, (int)order))
                    {
                        return done;
                    }

                    // A translation left in the TLB by an unmapping without a flush must not outlive the frame.
                    Cpu.FlushTlb(includeGlobal: true);
                    break;
            }

            done++;
        }

        return done;
    }

    private long PhysdevOpCall(int command, ulong arg)
    {
        switch ((PhysdevOp)command)
        {
            case PhysdevOp.SetIopl:
                if (!_guest.TryReadU32(arg, out var iopl))
                {
                    return XenErrno.Fault.ToReturnValue();
                }

                if (iopl > 3)
                {
                    return XenErrno.Inval.ToReturnValue();
                }

                _virtualIopl = iopl;
                return 0;
            case PhysdevOp.IrqStatusQuery:
                return _guest.TryWriteU32(arg + 4, 0) ? 0 : XenErrno.Fault.ToReturnValue();
            case PhysdevOp.SetIobitmap:
                return 0;
            case PhysdevOp.Eoi:
            case PhysdevOp.PirqEoiGmfnV1:
            case PhysdevOp.PirqEoiGmfnV2:
                return XenErrno.Inval.ToReturnValue();
            case PhysdevOp.MapPirq:
            case PhysdevOp.UnmapPirq:
            case PhysdevOp.GetFreePirq:
                return XenErrno.Perm.ToReturnValue();
            default:
                _domain.CountUnimplemented(((int)HypercallNumber.PhysdevOp << 8) | (command & 0xFF));
                return XenErrno.NoSys.ToReturnValue();
        }
    }

    private long VmAssistOp(uint command, uint type)
    {
        if (command != VmAssist.CmdEnable && command != VmAssist.CmdDisable)
        {
            return XenErrno.NoSys.ToReturnValue();
        }

        bool valid = _domain.Width == GuestWidth.Bits64
            ? (int)type is VmAssist.TypeWritablePagetables or VmAssist.TypeArchitecturalIopl or VmAssist.TypeRunstateUpdateFlag or VmAssist.TypeM2pStrict
            : (int)type is VmAssist.Type4GbSegments or VmAssist.Type4GbSegmentsNotify or VmAssist.TypeWritablePagetables or VmAssist.TypePaeExtendedCr3
                or VmAssist.TypeArchitecturalIopl or VmAssist.TypeRunstateUpdateFlag;
        if (!valid)
        {
            return XenErrno.Inval.ToReturnValue();
        }

        uint bit = type >= 32 ? 1u << 31 : 1u << (int)type;
        _domain.VmAssists = command == VmAssist.CmdEnable ? _domain.VmAssists | bit : _domain.VmAssists & ~bit;
        if ((int)type == VmAssist.TypePaeExtendedCr3)
        {
            _domain.Memory.PaeExtendedCr3 = command == VmAssist.CmdEnable;
        }

        return 0;
    }
}
