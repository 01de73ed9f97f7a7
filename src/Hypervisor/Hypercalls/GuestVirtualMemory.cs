using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Hypercalls;

/// <summary>
/// Copies hypercall arguments between the hypervisor and a guest's virtual memory, translating
/// through the vCPU's current page tables with guest-kernel rights. A copy that would fault
/// returns false; the hypercall then answers -EFAULT.
/// </summary>
public sealed class GuestVirtualMemory(MachineMemory memory, GuestWidth width, PvVcpuMmu mmu)
{
    public GuestWidth Width { get; } = width;

    public bool TryRead(ulong va, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (!GuestPageWalk.TryTranslate(memory, Width, mmu.CurrentRootMfn, va, write: false, out var ma))
            {
                return false;
            }

            int offset = (int)(ma & 0xFFF);
            int chunk = Math.Min(destination.Length, PageGeometry.PageSize - offset);
            memory.Frame(ma >> 12).Slice(offset, chunk).CopyTo(destination);
            destination = destination[chunk..];
            va += (ulong)chunk;
        }

        return true;
    }

    public bool TryWrite(ulong va, ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            if (!GuestPageWalk.TryTranslate(memory, Width, mmu.CurrentRootMfn, va, write: true, out var ma))
            {
                return false;
            }

            int offset = (int)(ma & 0xFFF);
            int chunk = Math.Min(source.Length, PageGeometry.PageSize - offset);
            source[..chunk].CopyTo(memory.Frame(ma >> 12)[offset..]);
            source = source[chunk..];
            va += (ulong)chunk;
        }

        return true;
    }

    public bool TryReadUInt32(ulong va, out uint value)
    {
        Span<byte> b = stackalloc byte[4];
        bool ok = TryRead(va, b);
        value = ok ? BinaryPrimitives.ReadUInt32LittleEndian(b) : 0;
        return ok;
    }

    public bool TryReadUInt64(ulong va, out ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        bool ok = TryRead(va, b);
        value = ok ? BinaryPrimitives.ReadUInt64LittleEndian(b) : 0;
        return ok;
    }

    /// <summary>Reads a guest "unsigned long" (8 or 4 bytes by width).</summary>
    public bool TryReadLong(ulong va, out ulong value)
    {
        if (Width == GuestWidth.Bits64)
        {
            return TryReadUInt64(va, out value);
        }

        bool ok = TryReadUInt32(va, out var v);
        value = v;
        return ok;
    }

    public bool TryWriteUInt16(ulong va, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return TryWrite(va, b);
    }

    public bool TryWriteUInt32(ulong va, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return TryWrite(va, b);
    }

    public bool TryWriteUInt64(ulong va, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return TryWrite(va, b);
    }

    /// <summary>Writes a guest "unsigned long" (8 or 4 bytes by width).</summary>
    public bool TryWriteLong(ulong va, ulong value) =>
        Width == GuestWidth.Bits64 ? TryWriteUInt64(va, value) : TryWriteUInt32(va, (uint)value);
}
