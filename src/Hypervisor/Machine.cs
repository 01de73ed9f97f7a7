using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor;

/// <summary>
/// One host: machine memory, its frame table, the machine-to-phys table and the registry of PV
/// domains. Frame 0 is kept by the hypervisor so that MFN 0 can mean "none" in guest arguments.
/// </summary>
public sealed class Machine : IDisposable
{
    private readonly Dictionary<DomId, PvDomainMemory> _domains = [];

    /// <summary>Creates a machine with <paramref name="frameCount"/> frames of 4 KiB.</summary>
    public Machine(ulong frameCount)
    {
        Memory = new MachineMemory(frameCount);
        Frames = new FrameTable(frameCount);
        MachineToPhys = new ulong[frameCount];
        Array.Fill(MachineToPhys, ulong.MaxValue);
        PageTables = new PageTables(this);
    }

    /// <summary>Creates a machine holding <paramref name="megabytes"/> MiB.</summary>
    public static Machine WithMegabytes(int megabytes) => new((ulong)megabytes * 256);

    public MachineMemory Memory { get; }

    public FrameTable Frames { get; }

    /// <summary>The M2P: for each MFN the PFN its owner uses for it, or all ones.</summary>
    public ulong[] MachineToPhys { get; }

    /// <summary>The page-type and page-table rules acting on this machine.</summary>
    public PageTables PageTables { get; }

    /// <summary>Adds a domain's memory state so that other domains and the rules can find it.</summary>
    public void Register(PvDomainMemory domain) => _domains.Add(domain.Id, domain);

    /// <summary>Looks a domain up by id; null when there is no such domain.</summary>
    public PvDomainMemory? Find(DomId id) => _domains.GetValueOrDefault(id);

    /// <summary>Allocates a zeroed frame for <paramref name="owner"/>; false when memory is exhausted.</summary>
    public bool TryAllocateFrame(DomId owner, out ulong mfn)
    {
        if (!Frames.TryAllocate(owner, out mfn))
        {
            return false;
        }

        Memory.ClearFrame(mfn);
        return true;
    }

    /// <summary>Allocates the specific frame <paramref name="mfn"/>, zeroed, for <paramref name="owner"/>.</summary>
    public bool TryAllocateFrameAt(DomId owner, ulong mfn)
    {
        if (!Frames.TryAllocateAt(owner, mfn))
        {
            return false;
        }

        Memory.ClearFrame(mfn);
        return true;
    }

    /// <summary>Allocates a zeroed hypervisor page that <paramref name="guest"/> may map read/write (shared_info, grant frames).</summary>
    public bool TryAllocateSharedPage(DomId guest, out ulong mfn)
    {
        if (!TryAllocateFrame(DomId.Xen, out mfn))
        {
            return false;
        }

        ref var f = ref Frames[mfn];
        f.Flags |= FrameFlags.SharedWithGuest;
        f.SharedWith = guest;
        return true;
    }

    public void Dispose() => Memory.Dispose();
}
