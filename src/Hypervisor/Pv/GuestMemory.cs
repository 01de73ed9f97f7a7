using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Pv;

/// <summary>
/// Hypercall access to guest virtual memory through the vCPU's current page tables, with the guest
/// kernel's rights, as Xen's copy_from_guest/copy_to_guest do. An access that would fault returns
/// false (the hypercall then answers -EFAULT); it never throws. Writes invalidate decoded code of the
/// frames they touch, so a guest that has code written by a hypercall runs the new bytes.
/// </summary>
public sealed class GuestMemory
{
    private readonly Machine _machine;
    private readonly GuestWidth _width;
    private readonly Func<ulong> _currentRoot;
    private readonly Action<ulong> _frameWritten;

    /// <param name="machine">The machine whose memory holds the guest's frames.</param>
    /// <param name="width">The guest's width: 32-bit guests' addresses are truncated to 32 bits.</param>
    /// <param name="currentRoot">Returns the MFN of the root table the vCPU translates through now.</param>
    /// <param name="frameWritten">Told the MFN of every frame a write changed.</param>
    public GuestMemory(Machine machine, GuestWidth width, Func<ulong> currentRoot, Action<ulong> frameWritten)
    {
        _machine = machine;
        _width = width;
        _currentRoot = currentRoot;
        _frameWritten = frameWritten;
    }

    /// <summary>Translates one guest address; false when the access would fault.</summary>
    public bool TryTranslate(ulong va, bool write, out ulong machineAddress)
    {
        if (_width == GuestWidth.Bits32Pae)
        {
            va &= 0xFFFF_FFFF;
        }

        return GuestPageWalk.TryTranslate(_machine.Memory, _width, _currentRoot(), va, write, out machineAddress);
    }

    public bool TryRead(ulong va, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            if (!TryTranslate(va, write: false, out var ma))
            {
                return false;
            }

            int offset = (int)(ma & 0xFFF);
            int chunk = Math.Min(destination.Length, PageGeometry.PageSize - offset);
            _machine.Memory.Frame(ma >> PageGeometry.PageShift).Slice(offset, chunk).CopyTo(destination);
            destination = destination[chunk..];
            va += (ulong)chunk;
        }

        return true;
    }

    public bool TryWrite(ulong va, ReadOnlySpan<byte> source)
    {
        // Translate every page first so that a failing write changes nothing.
        for (ulong probe = va & ~0xFFFul; probe < va + (ulong)source.Length; probe += PageGeometry.PageSize)
        {
            if (!TryTranslate(Math.Max(probe, va), write: true, out _))
            {
                return false;
            }
        }

        while (!source.IsEmpty)
        {
            TryTranslate(va, write: true, out var ma);
            int offset = (int)(ma & 0xFFF);
            int chunk = Math.Min(source.Length, PageGeometry.PageSize - offset);
            ulong mfn = ma >> PageGeometry.PageShift;
            source[..chunk].CopyTo(_machine.Memory.Frame(mfn).Slice(offset, chunk));
            _frameWritten(mfn);
            source = source[chunk..];
            va += (ulong)chunk;
        }

        return true;
    }

    public bool TryReadU16(ulong va, out ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        bool ok = TryRead(va, b);
        value = ok ? BinaryPrimitives.ReadUInt16LittleEndian(b) : (ushort)0;
        return ok;
    }

    public bool TryReadU32(ulong va, out uint value)
    {
        Span<byte> b = stackalloc byte[4];
        bool ok = TryRead(va, b);
        value = ok ? BinaryPrimitives.ReadUInt32LittleEndian(b) : 0;
        return ok;
    }

    public bool TryReadU64(ulong va, out ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        bool ok = TryRead(va, b);
        value = ok ? BinaryPrimitives.ReadUInt64LittleEndian(b) : 0;
        return ok;
    }

    /// <summary>Reads an unsigned long of the guest's width (8 bytes for 64-bit, 4 for 32-bit guests).</summary>
    public bool TryReadLong(ulong va, out ulong value)
    {
        if (_width == GuestWidth.Bits64)
        {
            return TryReadU64(va, out value);
        }

        bool ok = TryReadU32(va, out var v);
        value = v;
        return ok;
    }

    public bool TryWriteU16(ulong va, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return TryWrite(va, b);
    }

    public bool TryWriteU32(ulong va, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return TryWrite(va, b);
    }

    public bool TryWriteU64(ulong va, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return TryWrite(va, b);
    }

    /// <summary>Writes an unsigned long of the guest's width.</summary>
    public bool TryWriteLong(ulong va, ulong value) =>
        _width == GuestWidth.Bits64 ? TryWriteU64(va, value) : TryWriteU32(va, (uint)value);
}
