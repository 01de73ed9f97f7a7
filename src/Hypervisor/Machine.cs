using System.Collections.Concurrent;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor;

/// <summary>
/// One host: machine memory, its frame table, the machine-to-phys table and the registry of PV
/// domains. The hypervisor keeps the first frames: frame 0 (so that MFN 0 can mean "none" in
/// guest arguments), the M2P table, and the L1/L2/L3 tables that map the M2P read-only at
/// 0xffff800000000000 in every 64-bit guest (through L4 slot 256, see <see cref="XenL4Slot256"/>),
/// then the compat M2P (4-byte entries) and the L1 tables that map it read-only at 0xF5800000 in
/// every 32-bit PAE guest (through the Xen slots of its slot-3 L2, see <see cref="CompatM2pL2Entries"/>).
///
/// One machine may hold many domains, each frame owned by one of them (or by Xen) in the frame
/// table. Domains may run on several threads at once: every change of the frame table (allocation,
/// references, types, pins) is made holding <see cref="FrameLock"/>, which the hypercalls that
/// touch frames, the domain builder and domain teardown take. Guest memory itself is read and
/// written without it, as a CPU does.
/// </summary>
public sealed class Machine : IDisposable
{
    private readonly ConcurrentDictionary<DomId, PvDomainMemory> _domains = new();
    private readonly ConcurrentDictionary<DomId, bool> _driverDomains = new();

    /// <summary>Creates a machine with <paramref name="frameCount"/> frames of 4 KiB.</summary>
    public Machine(ulong frameCount)
    {
        ulong m2pFrames = MachToPhysTable.FrameCountFor(frameCount);
        ulong l1s = (m2pFrames + 511) / 512;
        ulong l2s = (l1s + 511) / 512;
        ulong compatEntries = Math.Min(frameCount, CompatM2pCapacity);
        ulong compatFrames = MachToPhysTable.CompatFrameCountFor(compatEntries);
        ulong compatL1s = (compatFrames + 511) / 512;
        ulong firstCompat = 1 + m2pFrames + l1s + l2s + 1;
        ulong reserved = firstCompat + compatFrames + compatL1s;
        if (reserved >= frameCount)
        {
            throw new ArgumentOutOfRangeException(nameof(frameCount), frameCount, "too small for the hypervisor's own frames");
        }

        ReservedFrames = reserved;
        Memory = new MachineMemory(frameCount);
        Frames = new FrameTable(frameCount, reserved);
        MachineToPhys = new MachToPhysTable(Memory, 1, frameCount, firstCompat, compatEntries);
        XenL4Slot256 = BuildM2pMapping(1, m2pFrames, 1 + m2pFrames, l1s, l2s);
        CompatM2pL2Entries = BuildCompatM2pMapping(firstCompat, compatFrames, firstCompat + compatFrames, compatL1s);
        PageTables = new PageTables(this);
    }

    /// <summary>Creates a machine holding <paramref name="megabytes"/> MiB.</summary>
    public static Machine WithMegabytes(int megabytes) => new((ulong)megabytes * 256);

    public MachineMemory Memory { get; }

    /// <summary>Held for every change of the frame table; re-entrant.</summary>
    public Lock FrameLock { get; } = new();

    /// <summary>Frames the hypervisor keeps from the start (frame 0, the M2P and its mapping tables).</summary>
    public ulong ReservedFrames { get; }

    /// <summary>Frames allocated to anyone, the reserved ones included.</summary>
    public ulong FramesInUse
    {
        get
        {
            lock (FrameLock)
            {
                return Frames.FrameCount - (ulong)Frames.FreeFrames;
            }
        }
    }

    public FrameTable Frames { get; }

    /// <summary>The M2P: for each MFN the PFN its owner uses for it, or all ones.</summary>
    public MachToPhysTable MachineToPhys { get; }

    /// <summary>The entry Xen puts in L4 slot 256 of every 64-bit guest: its read-only M2P mapping.</summary>
    public ulong XenL4Slot256 { get; }

    /// <summary>
    /// The entries Xen puts in the Xen slots of every 32-bit PAE guest's slot-3 L2, from slot
    /// <see cref="HypervisorLayout.FirstXenPaeL2Slot"/> on: each maps 2 MiB of the compat M2P
    /// read-only (supervisor only: a 32-bit guest kernel runs in ring 1).
    /// </summary>
    public IReadOnlyList<ulong> CompatM2pL2Entries { get; }

    /// <summary>Machine frames the compat M2P between 0xF5800000 and 0xFFE00000 can describe (4-byte entries).</summary>
    private const ulong CompatM2pCapacity = (HypervisorLayout.CompatMachToPhysEnd32 - HypervisorLayout.CompatVirtStart32) / 4;

    /// <summary>The page-type and page-table rules acting on this machine.</summary>
    public PageTables PageTables { get; }

    /// <summary>Adds a domain's memory state so that other domains and the rules can find it.</summary>
    public void Register(PvDomainMemory domain)
    {
        if (!_domains.TryAdd(domain.Id, domain))
        {
            throw new InvalidOperationException($"{domain.Id} is registered already");
        }
    }

    /// <summary>Removes a destroyed domain's memory state; its frames must have been relinquished.</summary>
    public void Unregister(DomId id) => _domains.TryRemove(id, out _);

    /// <summary>Looks a domain up by id; null when there is no such domain.</summary>
    public PvDomainMemory? Find(DomId id) => _domains.GetValueOrDefault(id);

    /// <summary>
    /// Registers a driver domain that lives inside the host (an IOPM): it has a domain id that
    /// guests grant pages to and allocate ports for, but no guest memory of its own.
    /// </summary>
    public void RegisterDriverDomain(DomId id)
    {
        if (_domains.ContainsKey(id) || !_driverDomains.TryAdd(id, true))
        {
            throw new InvalidOperationException($"{id} is registered already");
        }
    }

    /// <summary>Removes a driver domain registered with <see cref="RegisterDriverDomain"/>.</summary>
    public void UnregisterDriverDomain(DomId id) => _driverDomains.TryRemove(id, out _);

    /// <summary>True when <paramref name="id"/> names a domain of this machine: a PV domain or a host driver domain.</summary>
    public bool HasDomain(DomId id) => _domains.ContainsKey(id) || _driverDomains.ContainsKey(id);

    /// <summary>Allocates a zeroed frame for <paramref name="owner"/>; false when memory is exhausted.</summary>
    public bool TryAllocateFrame(DomId owner, out ulong mfn)
    {
        lock (FrameLock)
        {
            if (!Frames.TryAllocate(owner, out mfn))
            {
                return false;
            }
        }

        Memory.ClearFrame(mfn);
        return true;
    }

    /// <summary>Allocates the specific frame <paramref name="mfn"/>, zeroed, for <paramref name="owner"/>.</summary>
    public bool TryAllocateFrameAt(DomId owner, ulong mfn)
    {
        lock (FrameLock)
        {
            if (!Frames.TryAllocateAt(owner, mfn))
            {
                return false;
            }
        }

        Memory.ClearFrame(mfn);
        return true;
    }

    /// <summary>Allocates a zeroed hypervisor page that <paramref name="guest"/> may map read/write (shared_info, grant frames).</summary>
    public bool TryAllocateSharedPage(DomId guest, out ulong mfn)
    {
        lock (FrameLock)
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
    }

    public void Dispose() => Memory.Dispose();

    /// <summary>Writes the tables mapping the M2P frames read-only (and user-readable) from VA 0xffff800000000000.</summary>
    private ulong BuildM2pMapping(ulong firstM2p, ulong m2pFrames, ulong firstL1, ulong l1s, ulong l2s)
    {
        const ulong ReadOnlyUser = PteFlags.Present | PteFlags.User | PteFlags.Accessed;
        const ulong Upper = PteFlags.BuilderUpperLevel;
        ulong firstL2 = firstL1 + l1s;
        ulong l3 = firstL2 + l2s;
        for (ulong i = 0; i < m2pFrames; i++)
        {
            Memory.WriteEntry(firstL1 + (i / 512), (int)(i % 512), ((firstM2p + i) << 12) | ReadOnlyUser);
        }

        for (ulong i = 0; i < l1s; i++)
        {
            Memory.WriteEntry(firstL2 + (i / 512), (int)(i % 512), ((firstL1 + i) << 12) | Upper);
        }

        for (ulong i = 0; i < l2s; i++)
        {
            Memory.WriteEntry(l3, (int)i, ((firstL2 + i) << 12) | Upper);
        }

        return (l3 << 12) | Upper;
    }

    /// <summary>Writes the L1 tables mapping the compat M2P frames read-only and returns the L2 entries that point at them.</summary>
    private ulong[] BuildCompatM2pMapping(ulong firstCompat, ulong compatFrames, ulong firstL1, ulong l1s)
    {
        const ulong ReadOnly = PteFlags.Present | PteFlags.Accessed;
        for (ulong i = 0; i < compatFrames; i++)
        {
            Memory.WriteEntry(firstL1 + (i / 512), (int)(i % 512), ((firstCompat + i) << 12) | ReadOnly);
        }

        var entries = new ulong[l1s];
        for (ulong i = 0; i < l1s; i++)
        {
            entries[i] = ((firstL1 + i) << 12) | ReadOnly;
        }

        return entries;
    }
}
