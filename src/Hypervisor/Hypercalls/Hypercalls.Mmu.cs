using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>mmu_update, mmuext_op, update_va_mapping, set_gdt and update_descriptor.</summary>
public static partial class Hypercalls
{
    /// <summary>Most requests one batched call may carry (a bound on what we read from the guest at once).</summary>
    private const uint MaxBatch = 1u << 20;

    private static long MmuUpdate(PvVcpu vcpu, ulong requests, uint count, ulong done, uint foreignDom)
    {
        count &= ~UpdateVaMappingFlags.MmuUpdatePreempted;
        if (count > MaxBatch)
        {
            return Error(XenErrno.Inval);
        }

        var bytes = new byte[count * TrapStructLayout.MmuUpdateSize];
        if (!vcpu.Memory.TryRead(requests, bytes))
        {
            return Fault;
        }

        var batch = new MmuUpdateRequest[count];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = new MmuUpdateRequest(BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 16)), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((i * 16) + 8)));
        }

        var domain = vcpu.Domain;
        var result = new MmuOperations(domain.Machine).MmuUpdate(domain.Memory, batch, foreignDom, vcpu.Flush);
        if (done != 0 && !vcpu.Memory.TryWriteUInt32(done, (uint)result.Done))
        {
            return Fault;
        }

        return Error(result.Error.ToErrno());
    }

    private static long MmuextOp(PvVcpu vcpu, ulong ops, uint count, ulong done, uint foreignDom)
    {
        count &= ~UpdateVaMappingFlags.MmuUpdatePreempted;
        if (count > MaxBatch)
        {
            return Error(XenErrno.Inval);
        }

        var layout = TrapStructLayout.For(vcpu.Domain.Width);
        var bytes = new byte[count * layout.MmuextOpSize];
        if (!vcpu.Memory.TryRead(ops, bytes))
        {
            return Fault;
        }

        var batch = new MmuextRequest[count];
        bool is64 = vcpu.Domain.Width == GuestWidth.Bits64;
        for (int i = 0; i < batch.Length; i++)
        {
            var op = bytes.AsSpan(i * layout.MmuextOpSize);
            ulong arg1 = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(op[layout.MmuextArg1..]) : BinaryPrimitives.ReadUInt32LittleEndian(op[layout.MmuextArg1..]);
            ulong arg2 = is64 ? BinaryPrimitives.ReadUInt64LittleEndian(op[layout.MmuextArg2..]) : BinaryPrimitives.ReadUInt32LittleEndian(op[layout.MmuextArg2..]);
            batch[i] = new MmuextRequest(BinaryPrimitives.ReadUInt32LittleEndian(op), arg1, arg2);
        }

        var domain = vcpu.Domain;
        var result = new MmuOperations(domain.Machine).MmuextOp(domain.Memory, vcpu.Mmu, batch, foreignDom, vcpu.Flush);
        if (done != 0 && !vcpu.Memory.TryWriteUInt32(done, (uint)result.Done))
        {
            return Fault;
        }

        return Error(result.Error.ToErrno());
    }

    private static long UpdateVaMapping(PvVcpu vcpu, ulong va, ulong pte, ulong flags, DomId pageOwnerId)
    {
        var domain = vcpu.Domain;
        var pageOwner = domain.Memory;
        if (pageOwnerId != DomId.Self && pageOwnerId != domain.Id)
        {
            var other = domain.Machine.Find(pageOwnerId);
            if (other is null)
            {
                return Error(XenErrno.Srch);
            }

            if (!domain.Memory.IsPrivileged)
            {
                return Error(XenErrno.Perm);
            }

            pageOwner = other;
        }

        var error = domain.Machine.PageTables.UpdateVaMapping(domain.Memory, vcpu.Mmu, va, pte, flags, pageOwner.Id, vcpu.Flush);
        return Error(error.ToErrno());
    }

    private static long SetGdt(PvVcpu vcpu, ulong frameList, uint entries)
    {
        if (entries > HypervisorLayout.FirstReservedGdtEntry)
        {
            return Error(XenErrno.Inval);
        }

        int count = (int)((entries + 511) / 512);
        var frames = new ulong[count];
        int longSize = vcpu.Domain.Width.LongSize();
        for (int i = 0; i < count; i++)
        {
            if (!vcpu.Memory.TryReadLong(frameList + (ulong)(i * longSize), out frames[i]))
            {
                return Fault;
            }
        }

        var tables = vcpu.Domain.Machine.PageTables;
        for (int i = 0; i < count; i++)
        {
            var error = tables.GetPageAndType(frames[i], vcpu.Domain.Memory, PageType.SegDesc);
            if (error != PageTableError.None)
            {
                for (int j = i - 1; j >= 0; j--)
                {
                    tables.PutPageAndType(frames[j]);
                }

                return Error(XenErrno.Inval);
            }
        }

        foreach (var old in vcpu.GdtFrames)
        {
            tables.PutPageAndType(old);
        }

        vcpu.GdtFrames = frames;
        vcpu.GdtEntries = entries;
        return Ok;
    }

    private static long UpdateDescriptor(PvVcpu vcpu, ulong machineAddress, ulong descriptor)
    {
        var domain = vcpu.Domain;
        ulong mfn = machineAddress >> 12;
        if ((machineAddress & 7) != 0 || !domain.Machine.Frames.TryGetPage(mfn, domain.Id))
        {
            return Error(XenErrno.Inval);
        }

        try
        {
            if (!DescriptorRules.IsAcceptable(descriptor, domain.Width))
            {
                return Error(XenErrno.Inval);
            }

            ref var frame = ref domain.Machine.Frames[mfn];
            if (frame.TypeCount > 0 && frame.Type == PageType.SegDesc)
            {
                domain.Machine.Memory.WriteEntry(mfn, (int)((machineAddress & 0xFFF) >> 3), descriptor);
                return Ok;
            }

            if (domain.Machine.PageTables.GetPageType(mfn, domain.Memory, PageType.Writable) != PageTableError.None)
            {
                return Error(XenErrno.Inval);
            }

            domain.Machine.Memory.WriteEntry(mfn, (int)((machineAddress & 0xFFF) >> 3), descriptor);
            domain.Machine.PageTables.PutPageType(mfn);
            return Ok;
        }
        finally
        {
            domain.Machine.Frames.PutPage(mfn);
        }
    }
}
