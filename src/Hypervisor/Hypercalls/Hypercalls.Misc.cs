using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>memory_op, physdev_op and multicall.</summary>
public static partial class Hypercalls
{
    private static long MemoryOp(PvVcpu vcpu, ulong command, ulong argument)
    {
        var domain = vcpu.Domain;
        bool is64 = domain.Width == GuestWidth.Bits64;
        switch ((MemoryOp)(command & 0xF))
        {
            case Abi.MemoryOp.CurrentReservation:
            case Abi.MemoryOp.MaximumReservation:
                {
                    Span<byte> id = stackalloc byte[2];
                    if (!vcpu.Memory.TryRead(argument, id))
                    {
                        return Fault;
                    }

                    var dom = new DomId(BinaryPrimitives.ReadUInt16LittleEndian(id));
                    var target = dom == DomId.Self || dom == domain.Id ? domain : domain.Directory(dom);
                    if (target is null)
                    {
                        return Error(XenErrno.Srch);
                    }

                    if (target != domain && !domain.Memory.IsPrivileged)
                    {
                        return Error(XenErrno.Perm);
                    }

                    return (long)((MemoryOp)(command & 0xF) == Abi.MemoryOp.CurrentReservation ? target.CurrentPages : target.MaxPages);
                }

            case Abi.MemoryOp.MaximumRamPage:
                return (long)(domain.Machine.Frames.FrameCount - 1);
            case Abi.MemoryOp.MachphysMapping:
                {
                    ulong start = is64 ? HypervisorLayout.VirtStart64 : HypervisorLayout.CompatVirtStart32;
                    ulong end = is64 ? HypervisorLayout.MachToPhysEnd64 : HypervisorLayout.CompatMachToPhysEnd32;
                    int size = domain.Width.LongSize();
                    bool ok = vcpu.Memory.TryWriteLong(argument, start)
                        && vcpu.Memory.TryWriteLong(argument + (ulong)size, end)
                        && vcpu.Memory.TryWriteLong(argument + (ulong)(2 * size), ((end - start) / (ulong)size) - 1);
                    return ok ? Ok : Fault;
                }

            case Abi.MemoryOp.MemoryMap:
                {
                    if (!vcpu.Memory.TryReadUInt32(argument, out var capacity) || !vcpu.Memory.TryReadLong(argument + (is64 ? 8ul : 4ul), out var buffer))
                    {
                        return Fault;
                    }

                    if (capacity < 1)
                    {
                        return Error(XenErrno.Inval);
                    }

                    var entry = new byte[E820Entry.Size];
                    BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(8), domain.MaxPages * PageGeometry.PageSize);
                    BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(16), E820Entry.TypeRam);
                    return vcpu.Memory.TryWrite(buffer, entry) && vcpu.Memory.TryWriteUInt32(argument, 1) ? Ok : Fault;
                }

            default:
                return Error(XenErrno.NoSys);
        }
    }

    private static long PhysdevOp(PvVcpu vcpu, int command, ulong argument)
    {
        switch ((PhysdevOp)command)
        {
            case Abi.PhysdevOp.SetIopl:
                {
                    if (!vcpu.Memory.TryReadUInt32(argument, out var iopl))
                    {
                        return Fault;
                    }

                    if (iopl > 3)
                    {
                        return Error(XenErrno.Inval);
                    }

                    vcpu.Iopl = iopl;
                    return Ok;
                }

            case Abi.PhysdevOp.SetIobitmap:
                return Ok;
            case Abi.PhysdevOp.IrqStatusQuery:
            case Abi.PhysdevOp.Eoi:
            case Abi.PhysdevOp.MapPirq:
            case Abi.PhysdevOp.UnmapPirq:
            case Abi.PhysdevOp.GetFreePirq:
            case Abi.PhysdevOp.PirqEoiGmfnV1:
            case Abi.PhysdevOp.PirqEoiGmfnV2:
                return Error(XenErrno.Perm);
            default:
                return Error(XenErrno.NoSys);
        }
    }

    private static long Multicall(PvVcpu vcpu, ulong list, ulong count)
    {
        var layout = TrapStructLayout.For(vcpu.Domain.Width);
        bool is64 = vcpu.Domain.Width == GuestWidth.Bits64;
        var entry = new byte[layout.MulticallEntrySize];
        for (ulong i = 0; i < count; i++)
        {
            ulong va = list + (i * (ulong)layout.MulticallEntrySize);
            if (!vcpu.Memory.TryRead(va, entry))
            {
                return Fault;
            }

            ulong Word(int offset) => is64 ? BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(entry.AsSpan(offset));
            ulong op = Word(0);
            int a = layout.MulticallArgs;
            int w = vcpu.Domain.Width.LongSize();
            long result = op is (ulong)HypercallNumber.Multicall or (ulong)HypercallNumber.Iret
                ? Error(XenErrno.Inval)
                : Dispatch(vcpu, op, Word(a), Word(a + w), Word(a + (2 * w)), Word(a + (3 * w)), Word(a + (4 * w)));
            if (!vcpu.Memory.TryWriteLong(va + (ulong)layout.MulticallResult, (ulong)result))
            {
                return Fault;
            }

            if (vcpu.Domain.Shutdown is not null)
            {
                break;
            }
        }

        return Ok;
    }
}
