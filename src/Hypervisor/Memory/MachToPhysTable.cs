using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// The M2P: for every machine frame, the PFN its owner uses for it (all ones when none). It lives
/// in hypervisor-owned machine frames so that it can be mapped read-only into 64-bit PV guests at
/// MACH2PHYS_VIRT_START (0xffff800000000000), where real PV kernels read it directly. As on a 64-bit
/// Xen, a second, compat copy with 4-byte entries (the low 32 bits, all ones when none) is kept
/// beside it for 32-bit PAE guests, which read it at 0xF5800000; it covers the machine frames that
/// fit below 0xFFE00000 (<see cref="CompatEntries"/>), and every write of an entry updates both.
/// </summary>
public sealed class MachToPhysTable
{
    private const int EntriesPerFrame = PageGeometry.PageSize / 8;
    private const int CompatEntriesPerFrame = PageGeometry.PageSize / 4;
    private readonly MachineMemory _memory;
    private readonly ulong _firstFrame;
    private readonly ulong _compatFirstFrame;

    public MachToPhysTable(MachineMemory memory, ulong firstFrame, ulong entries, ulong compatFirstFrame = 0, ulong compatEntries = 0)
    {
        _memory = memory;
        _firstFrame = firstFrame;
        _compatFirstFrame = compatFirstFrame;
        Entries = entries;
        CompatEntries = Math.Min(compatEntries, entries);
        for (ulong f = 0; f < FrameCountFor(entries); f++)
        {
            memory.Frame(firstFrame + f).Fill(0xFF);
        }

        for (ulong f = 0; f < CompatFrameCountFor(CompatEntries); f++)
        {
            memory.Frame(compatFirstFrame + f).Fill(0xFF);
        }
    }

    /// <summary>Frames needed to hold <paramref name="entries"/> 8-byte entries.</summary>
    public static ulong FrameCountFor(ulong entries) => (entries + EntriesPerFrame - 1) / EntriesPerFrame;

    /// <summary>Frames needed to hold <paramref name="entries"/> 4-byte compat entries.</summary>
    public static ulong CompatFrameCountFor(ulong entries) => (entries + CompatEntriesPerFrame - 1) / CompatEntriesPerFrame;

    /// <summary>Machine frames the compat copy covers (the first ones; 0 when there is no copy).</summary>
    public ulong CompatEntries { get; }

    public ulong Entries { get; }

    /// <summary>The machine frames holding the table, in order.</summary>
    public IEnumerable<ulong> Frames
    {
        get
        {
            for (ulong f = 0; f < FrameCountFor(Entries); f++)
            {
                yield return _firstFrame + f;
            }
        }
    }

    public ulong this[ulong mfn]
    {
        get => BinaryPrimitives.ReadUInt64LittleEndian(Slot(mfn));
        set
        {
            BinaryPrimitives.WriteUInt64LittleEndian(Slot(mfn), value);
            if (mfn < CompatEntries)
            {
                // All ones stays all ones; a PFN keeps its low 32 bits, as Xen's compat table does.
                var compat = _memory.Frame(_compatFirstFrame + (mfn / CompatEntriesPerFrame)).Slice((int)(mfn % CompatEntriesPerFrame) * 4, 4);
                BinaryPrimitives.WriteUInt32LittleEndian(compat, (uint)value);
            }
        }
    }

    /// <summary>The compat entry of <paramref name="mfn"/>, as a 32-bit guest reads it.</summary>
    public uint Compat(ulong mfn)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(mfn, CompatEntries);
        return BinaryPrimitives.ReadUInt32LittleEndian(_memory.Frame(_compatFirstFrame + (mfn / CompatEntriesPerFrame)).Slice((int)(mfn % CompatEntriesPerFrame) * 4, 4));
    }

    private Span<byte> Slot(ulong mfn)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(mfn, Entries);
        return _memory.Frame(_firstFrame + (mfn / EntriesPerFrame)).Slice((int)(mfn % EntriesPerFrame) * 8, 8);
    }
}
