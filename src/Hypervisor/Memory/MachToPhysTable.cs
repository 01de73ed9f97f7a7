using System.Buffers.Binary;
using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Memory;

/// <summary>
/// The M2P: for every machine frame, the PFN its owner uses for it (all ones when none). It lives
/// in hypervisor-owned machine frames so that it can be mapped read-only into 64-bit PV guests at
/// MACH2PHYS_VIRT_START (0xffff800000000000), where real PV kernels read it directly.
/// </summary>
public sealed class MachToPhysTable
{
    private const int EntriesPerFrame = PageGeometry.PageSize / 8;
    private readonly MachineMemory _memory;
    private readonly ulong _firstFrame;

    public MachToPhysTable(MachineMemory memory, ulong firstFrame, ulong entries)
    {
        _memory = memory;
        _firstFrame = firstFrame;
        Entries = entries;
        for (ulong f = 0; f < FrameCountFor(entries); f++)
        {
            memory.Frame(firstFrame + f).Fill(0xFF);
        }
    }

    /// <summary>Frames needed to hold <paramref name="entries"/> 8-byte entries.</summary>
    public static ulong FrameCountFor(ulong entries) => (entries + EntriesPerFrame - 1) / EntriesPerFrame;

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
        set => BinaryPrimitives.WriteUInt64LittleEndian(Slot(mfn), value);
    }

    private Span<byte> Slot(ulong mfn)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(mfn, Entries);
        return _memory.Frame(_firstFrame + (mfn / EntriesPerFrame)).Slice((int)(mfn % EntriesPerFrame) * 8, 8);
    }
}
