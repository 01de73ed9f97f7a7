using System.Runtime.CompilerServices;

namespace ActorVisor.Cpu;

/// <summary>
/// Linear-memory access for instructions. The fast path is an inline tag compare against the TLB and
/// a load or store through the entry's host addend; page-crossing accesses, misses and writes into code
/// frames take the slow path. Every access either completes or records a fault and changes nothing.
/// </summary>
public sealed unsafe partial class X86Cpu
{
    private readonly byte[] _scratchStore = GC.AllocateArray<byte>(64, pinned: true);
    private readonly byte* _scratch;
    private ulong _scratchLinear;
    private int _scratchSize;

    private bool MissingFrame(ulong address)
    {
        _stop = StopReason.MissingFrame;
        _stopAddress = address;
        _faultPending = false;
        _opRetired = false;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryRead<TS>(ulong linear, out ulong value)
        where TS : struct, ISize
    {
        var e = _tlbBase + TlbIndex(linear);
        if (e->ReadTag == ((linear & PageMask) | _tlbKey) && (linear & 0xFFF) <= (ulong)(0x1000 - TS.Bytes))
        {
            value = TS.Load((byte*)((long)linear + e->Addend));
            return true;
        }
        return ReadSlow(linear, TS.Bytes, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryWrite<TS>(ulong linear, ulong value)
        where TS : struct, ISize
    {
        var e = _tlbBase + TlbIndex(linear);
        if (e->WriteTag == ((linear & PageMask) | _tlbKey) && (linear & 0xFFF) <= (ulong)(0x1000 - TS.Bytes))
        {
            TS.Store((byte*)((long)linear + e->Addend), value);
            return true;
        }
        return WriteSlow(linear, TS.Bytes, value);
    }

    /// <summary>Returns a host pointer through which a read-modify-write of the operand can be done, or null after a fault.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* TryWritePointer<TS>(ulong linear)
        where TS : struct, ISize
    {
        var e = _tlbBase + TlbIndex(linear);
        if (e->WriteTag == ((linear & PageMask) | _tlbKey) && (linear & 0xFFF) <= (ulong)(0x1000 - TS.Bytes))
        {
            return (byte*)((long)linear + e->Addend);
        }
        return WritePointerSlow(linear, TS.Bytes);
    }

    /// <summary>Completes a read-modify-write started with <see cref="TryWritePointer{TS}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EndWrite<TS>(byte* pointer, ulong value)
        where TS : struct, ISize
    {
        TS.Store(pointer, value);
        if (pointer == _scratch)
        {
            WriteSlow(_scratchLinear, _scratchSize, TS.Load(_scratch));
        }
    }

    private byte* TranslateSlow(ulong linear, Access access)
    {
        var e = _tlbBase + TlbIndex(linear);
        var tag = (linear & PageMask) | _tlbKey;
        var hit = access switch
        {
            Access.Read => e->ReadTag == tag,
            Access.Write => e->WriteTag == tag,
            _ => e->ExecTag == tag,
        };
        if (!hit && !FillTlb(linear, access, out e))
        {
            return null;
        }
        if (access == Access.Write && _codeFrames.Count != 0 && _codeFrames.ContainsKey(e->Frame))
        {
            InvalidateCodeFrame(e->Frame);
        }
        return (byte*)((long)linear + e->Addend);
    }

    /// <summary>An access whose last byte lies past the canonical boundary faults with #GP before any page is walked.</summary>
    private bool EndsNonCanonical(ulong linear, int size)
    {
        if (_mode != CpuMode.Long64 || IsCanonical(linear + (ulong)size - 1))
        {
            return false;
        }
        RaiseGp();
        _nonCanonicalFault = true;
        return true;
    }

    private bool ReadSlow(ulong linear, int size, out ulong value)
    {
        value = 0;
        if (EndsNonCanonical(linear, size))
        {
            return false;
        }
        var first = TranslateSlow(linear, Access.Read);
        if (first == null)
        {
            return false;
        }
        var inFirst = (int)Math.Min((ulong)size, 0x1000 - (linear & 0xFFF));
        byte* second = null;
        if (inFirst < size)
        {
            second = TranslateSlow((linear + (ulong)inFirst) & _linearMask, Access.Read);
            if (second == null)
            {
                return false;
            }
        }
        if (_watchedPageCount != 0)
        {
            CheckDataBreakpoints(linear, size, write: false);
        }
        ulong result = 0;
        for (var i = 0; i < size; i++)
        {
            var b = i < inFirst ? first[i] : second[i - inFirst];
            result |= (ulong)b << (8 * i);
        }
        value = result;
        return true;
    }

    private bool WriteSlow(ulong linear, int size, ulong value)
    {
        if (EndsNonCanonical(linear, size))
        {
            return false;
        }
        var first = TranslateSlow(linear, Access.Write);
        if (first == null)
        {
            return false;
        }
        var inFirst = (int)Math.Min((ulong)size, 0x1000 - (linear & 0xFFF));
        byte* second = null;
        if (inFirst < size)
        {
            second = TranslateSlow((linear + (ulong)inFirst) & _linearMask, Access.Write);
            if (second == null)
            {
                return false;
            }
        }
        if (_watchedPageCount != 0)
        {
            CheckDataBreakpoints(linear, size, write: true);
        }
        for (var i = 0; i < size; i++)
        {
            var b = (byte)(value >> (8 * i));
            if (i < inFirst)
            {
                first[i] = b;
            }
            else
            {
                second[i - inFirst] = b;
            }
        }
        return true;
    }

    private byte* WritePointerSlow(ulong linear, int size)
    {
        if (EndsNonCanonical(linear, size))
        {
            return null;
        }
        if (_watchedPageCount != 0)
        {
            CheckDataBreakpoints(linear, size, write: true);
        }
        if ((linear & 0xFFF) <= (ulong)(0x1000 - size))
        {
            return TranslateSlow(linear, Access.Write);
        }
        var second = (linear + 0x1000) & PageMask & _linearMask;
        if (TranslateSlow(linear, Access.Write) == null || TranslateSlow(second, Access.Write) == null)
        {
            return null;
        }
        if (!ReadSlow(linear, size, out var current))
        {
            return null;
        }
        *(ulong*)_scratch = current;
        _scratchLinear = linear;
        _scratchSize = size;
        return _scratch;
    }

    /// <summary>Reads guest linear memory with the current paging and privilege key, as the hypervisor does for hypercall arguments.</summary>
    public bool TryReadLinear(ulong linearAddress, Span<byte> destination, out CpuEvent fault)
    {
        fault = default;
        var saved = _faultPending;
        for (var i = 0; i < destination.Length; i++)
        {
            var p = TranslateSlow((linearAddress + (ulong)i) & _linearMask, Access.Read);
            if (p == null)
            {
                fault = _pendingEvent;
                _faultPending = saved;
                _stop = null;
                return false;
            }
            destination[i] = *p;
        }
        return true;
    }

    /// <summary>Writes guest linear memory with the current paging and privilege key; decoded code of the frames written is invalidated.</summary>
    public bool TryWriteLinear(ulong linearAddress, ReadOnlySpan<byte> source, out CpuEvent fault)
    {
        fault = default;
        var saved = _faultPending;
        for (var i = 0; i < source.Length; i++)
        {
            var p = TranslateSlow((linearAddress + (ulong)i) & _linearMask, Access.Write);
            if (p == null)
            {
                fault = _pendingEvent;
                _faultPending = saved;
                _stop = null;
                return false;
            }
            *p = source[i];
        }
        return true;
    }
}
