using ActorVisor.Abi;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Tests.Memory;

/// <summary>A small machine with one or two domains and helpers to write page tables by hand.</summary>
internal sealed class MemoryFixture : IDisposable
{
    public const ulong Rw = PteFlags.Present | PteFlags.ReadWrite | PteFlags.Accessed;
    public const ulong Ro = PteFlags.Present | PteFlags.Accessed;
    public const ulong Upper = PteFlags.BuilderUpperLevel;

    public MemoryFixture(GuestWidth width = GuestWidth.Bits64, ulong frames = 512)
    {
        Machine = new Machine(frames);
        Guest = new PvDomainMemory(new DomId(1), width);
        Other = new PvDomainMemory(new DomId(2), width);
        Machine.Register(Guest);
        Machine.Register(Other);
        Tables = Machine.PageTables;
        Mmu = new MmuOperations(Machine);
    }

    public Machine Machine { get; }

    public PvDomainMemory Guest { get; }

    public PvDomainMemory Other { get; }

    public PageTables Tables { get; }

    public MmuOperations Mmu { get; }

    public TlbFlushRequests Flush { get; } = new();

    public ulong Alloc(PvDomainMemory? owner = null)
    {
        Assert.True(Machine.TryAllocateFrame((owner ?? Guest).Id, out var mfn));
        return mfn;
    }

    public void Set(ulong table, int slot, ulong frame, ulong flags) =>
        Machine.Memory.WriteEntry(table, slot, (frame << 12) | flags);

    public ulong Get(ulong table, int slot) => Machine.Memory.ReadEntry(table, slot);

    public ref FrameInfo Frame(ulong mfn) => ref Machine.Frames[mfn];

    /// <summary>A snapshot of every frame's counts, to compare before and after a refused operation.</summary>
    public (uint Refs, uint TypeCount, PageType Type, FrameFlags Flags, int Linear)[] Counts()
    {
        var result = new (uint, uint, PageType, FrameFlags, int)[Machine.Frames.FrameCount];
        for (ulong i = 0; i < Machine.Frames.FrameCount; i++)
        {
            var f = Machine.Frames[i];
            var typeIfHeld = f.TypeCount > 0 ? f.Type : PageType.None;
            result[i] = (f.RefCount, f.TypeCount, typeIfHeld, f.Flags & ~FrameFlags.Validated, f.LinearCount);
        }

        return result;
    }

    /// <summary>Builds L4 -> L3 -> L2 -> L1 covering VA 0..2 MiB and returns the four tables.</summary>
    public (ulong L4, ulong L3, ulong L2, ulong L1) Tree64()
    {
        ulong l4 = Alloc(), l3 = Alloc(), l2 = Alloc(), l1 = Alloc();
        Set(l4, 0, l3, Upper);
        Set(l3, 0, l2, Upper);
        Set(l2, 0, l1, Upper);
        return (l4, l3, l2, l1);
    }

    public void Dispose() => Machine.Dispose();
}
