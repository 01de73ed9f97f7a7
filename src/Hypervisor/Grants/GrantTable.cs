using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Memory;

namespace ActorVisor.Hypervisor.Grants;

/// <summary>
/// One domain's grant table (version 1) and its map track. As a granter the domain writes 8-byte
/// entries {flags, domid, frame} into hypervisor-owned frames it maps read/write; as a grantee it
/// holds handles for the grants it mapped.
///
/// Invariants: a mapped grant holds one general reference on the granted frame (and a Writable
/// type reference when mapped writable) until it is unmapped; GTF_reading/GTF_writing are set in
/// the granter's entry exactly while some mapping of that kind exists; a grant is used only by
/// the domain it names, only with permit_access, and never writably when GTF_readonly is set.
///
/// A grantee's map and unmap change the granter's table (its active counts and the entry's marks)
/// from the grantee's thread: every grant operation runs holding the machine's frame lock, and the
/// marks are written with a compare-exchange, since the granter's guest shares the entry.
/// </summary>
public sealed partial class GrantTable
{
    private readonly Machine _machine;
    private readonly Func<DomId, GrantTable?> _directory;
    private readonly List<ulong> _frames = [];
    private readonly Dictionary<uint, (int Readers, int Writers)> _active = [];
    private readonly List<Mapping?> _mapTrack = [];
    private bool _relinquished;

    public GrantTable(Machine machine, PvDomainMemory owner, Func<DomId, GrantTable?> directory, int maxFrames = 32)
    {
        _machine = machine;
        Owner = owner;
        _directory = directory;
        MaxFrames = maxFrames;
    }

    public PvDomainMemory Owner { get; }

    public int MaxFrames { get; }

    /// <summary>The MFNs of the grant frames, in order.</summary>
    public IReadOnlyList<ulong> Frames => _frames;

    public int Version { get; private set; } = 1;

    /// <summary>Number of entries the current frames hold.</summary>
    public uint EntryCount => (uint)(_frames.Count * GrantEntryV1.PerFrame);

    /// <summary>GNTTABOP_setup_table: grows the table to <paramref name="frameCount"/> frames and returns their MFNs.</summary>
    public GrantStatus SetupTable(uint frameCount, out IReadOnlyList<ulong> frames)
    {
        frames = _frames;
        if (frameCount > (uint)MaxFrames)
        {
            return GrantStatus.GeneralError;
        }

        while (_frames.Count < frameCount)
        {
            if (!_machine.TryAllocateSharedPage(Owner.Id, out var mfn))
            {
                return GrantStatus.NoSpace;
            }

            _frames.Add(mfn);
        }

        frames = _frames.Take((int)frameCount).ToList();
        return GrantStatus.Okay;
    }

    /// <summary>GNTTABOP_query_size.</summary>
    public (uint Frames, uint MaxFrames) QuerySize() => ((uint)_frames.Count, (uint)MaxFrames);

    /// <summary>GNTTABOP_set_version: only version 1 is offered; version 2 answers -ENOSYS so guests fall back.</summary>
    public XenErrno SetVersion(uint version) => version switch
    {
        1 => XenErrno.None,
        2 => XenErrno.NoSys,
        _ => XenErrno.Inval,
    };

    /// <summary>Reads entry <paramref name="gref"/> as the granter wrote it.</summary>
    public (ushort Flags, DomId Domain, uint Frame) ReadEntry(uint gref)
    {
        var entry = EntryBytes(gref);
        return (BinaryPrimitives.ReadUInt16LittleEndian(entry), new DomId(BinaryPrimitives.ReadUInt16LittleEndian(entry[2..])),
            BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
    }

    /// <summary>
    /// GNTTABOP_map_grant_ref, on the grantee's table: checks that <paramref name="granter"/>'s
    /// entry lets this domain map it (writably unless GNTMAP_readonly), takes the references, and
    /// returns the frame to map and a handle. Installing the PTE at host_addr is the caller's part.
    /// </summary>
    public GrantStatus Map(DomId granter, uint gref, uint mapFlags, out ulong mfn, out uint handle)
    {
        mfn = 0;
        handle = 0;
        if ((mapFlags & (GrantMapFlags.HostMap | GrantMapFlags.DeviceMap)) == 0)
        {
            return GrantStatus.GeneralError;
        }

        var table = _directory(granter);
        if (table is null)
        {
            return GrantStatus.BadDomain;
        }

        if (gref >= table.EntryCount)
        {
            return GrantStatus.BadGntref;
        }

        bool readOnly = (mapFlags & GrantMapFlags.ReadOnly) != 0;
        var (flags, domain, frame) = table.ReadEntry(gref);
        if ((flags & GrantFlags.TypeMask) != GrantFlags.PermitAccess || domain != Owner.Id || (!readOnly && (flags & GrantFlags.ReadOnly) != 0))
        {
            return GrantStatus.GeneralError;
        }

        if (!_machine.Frames.TryGetPage(frame, granter))
        {
            return GrantStatus.BadPage;
        }

        if (!readOnly && _machine.PageTables.GetPageType(frame, table.Owner, PageType.Writable) != PageTableError.None)
        {
            _machine.Frames.PutPage(frame);
            return GrantStatus.BadPage;
        }

        table.Activate(gref, readOnly, +1);
        mfn = frame;
        handle = (uint)_mapTrack.IndexOf(null);
        if (handle == uint.MaxValue)
        {
            handle = (uint)_mapTrack.Count;
            _mapTrack.Add(null);
        }

        _mapTrack[(int)handle] = new Mapping(granter, gref, frame, readOnly, (mapFlags & GrantMapFlags.ContainsPte) != 0);
        return GrantStatus.Okay;
    }

    /// <summary>The frame and access of a live handle; false when the handle is not in use.</summary>
    public bool TryGetMapping(uint handle, out ulong mfn, out bool readOnly) => TryGetMapping(handle, out mfn, out readOnly, out _);

    /// <summary>
    /// The frame and access of a live handle, and whether it was mapped with GNTMAP_contains_pte
    /// (its host address is then the machine address of the PTE); false when the handle is not in use.
    /// </summary>
    public bool TryGetMapping(uint handle, out ulong mfn, out bool readOnly, out bool containsPte)
    {
        mfn = 0;
        readOnly = false;
        containsPte = false;
        if (handle >= (uint)_mapTrack.Count || _mapTrack[(int)handle] is not { } mapping)
        {
            return false;
        }

        mfn = mapping.Frame;
        readOnly = mapping.ReadOnly;
        containsPte = mapping.ContainsPte;
        return true;
    }

    /// <summary>GNTTABOP_unmap_grant_ref: releases a handle from <see cref="Map"/>.</summary>
    public GrantStatus Unmap(uint handle, out ulong mfn)
    {
        mfn = 0;
        if (handle >= (uint)_mapTrack.Count || _mapTrack[(int)handle] is not { } mapping)
        {
            return GrantStatus.BadHandle;
        }

        _mapTrack[(int)handle] = null;
        if (!mapping.ReadOnly)
        {
            _machine.PageTables.PutPageType(mapping.Frame);
        }

        _machine.Frames.PutPage(mapping.Frame);
        _directory(mapping.Granter)?.Activate(mapping.Gref, mapping.ReadOnly, -1);
        mfn = mapping.Frame;
        return GrantStatus.Okay;
    }

    /// <summary>
    /// The domain is being destroyed: every grant it mapped from others is released (references
    /// dropped, the granter's entry no longer marked in use) and its own table is emptied, so that
    /// no grant of it can be mapped or copied any more. Its grant frames are freed with its other
    /// hypervisor pages. Called holding the machine's frame lock.
    /// </summary>
    public void Relinquish()
    {
        for (int handle = 0; handle < _mapTrack.Count; handle++)
        {
            if (_mapTrack[handle] is not null)
            {
                Unmap((uint)handle, out _);
            }
        }

        _frames.Clear();
        _active.Clear();
        _relinquished = true;
    }

    /// <summary>GNTTABOP_copy of <paramref name="length"/> bytes, performed by this (the calling) domain.</summary>
    public GrantStatus Copy(GrantCopySide source, GrantCopySide destination, ushort length)
    {
        if (source.Offset + length > PageGeometry.PageSize || destination.Offset + length > PageGeometry.PageSize)
        {
            return GrantStatus.BadCopyArg;
        }

        var status = Resolve(source, write: false, out var sourceMfn);
        if (status != GrantStatus.Okay)
        {
            return status;
        }

        status = Resolve(destination, write: true, out var destinationMfn);
        if (status != GrantStatus.Okay)
        {
            return status;
        }

        _machine.Memory.Frame(sourceMfn).Slice(source.Offset, length).CopyTo(_machine.Memory.Frame(destinationMfn)[destination.Offset..]);
        return GrantStatus.Okay;
    }

    private GrantStatus Resolve(GrantCopySide side, bool write, out ulong mfn)
    {
        mfn = 0;
        var domain = side.Domain == DomId.Self ? Owner.Id : side.Domain;
        if (!side.IsGrantRef)
        {
            if (domain != Owner.Id)
            {
                return GrantStatus.PermissionDenied;
            }

            if (!_machine.Frames.Contains(side.RefOrFrame) || _machine.Frames[side.RefOrFrame].Owner != Owner.Id)
            {
                return GrantStatus.BadPage;
            }

            mfn = side.RefOrFrame;
            return GrantStatus.Okay;
        }

        var table = _directory(domain);
        if (table is null)
        {
            return GrantStatus.BadDomain;
        }

        if (side.RefOrFrame >= table.EntryCount)
        {
            return GrantStatus.BadGntref;
        }

        var (flags, grantee, frame) = table.ReadEntry(side.RefOrFrame);
        if ((flags & GrantFlags.TypeMask) != GrantFlags.PermitAccess || grantee != Owner.Id || (write && (flags & GrantFlags.ReadOnly) != 0))
        {
            return GrantStatus.GeneralError;
        }

        if (!_machine.Frames.Contains(frame) || _machine.Frames[frame].Owner != domain)
        {
            return GrantStatus.BadPage;
        }

        mfn = frame;
        return GrantStatus.Okay;
    }

    private void Activate(uint gref, bool readOnly, int delta)
    {
        if (_relinquished)
        {
            // The granter is gone: a grantee's unmap has no entry left to mark.
            return;
        }

        var (readers, writers) = _active.GetValueOrDefault(gref);
        if (readOnly)
        {
            readers += delta;
        }
        else
        {
            writers += delta;
        }

        if (readers < 0 || writers < 0)
        {
            throw new InvalidOperationException($"grant {gref} of {Owner.Id}: active counts went negative");
        }

        _active[gref] = (readers, writers);

        // The granter's guest may be changing the same entry on another physical CPU (ending its
        // access with a compare-exchange), so flags and domid, one little-endian word, change atomically.
        ref uint word = ref MemoryMarshal.Cast<byte, uint>(EntryBytes(gref))[0];
        uint marks = (readers > 0 ? GrantFlags.Reading : 0u) | (writers > 0 ? GrantFlags.Writing : 0u);
        uint seen = Volatile.Read(ref word);
        while (true)
        {
            uint wanted = (seen & ~(uint)(GrantFlags.Reading | GrantFlags.Writing)) | marks;
            uint was = Interlocked.CompareExchange(ref word, wanted, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    private Span<byte> EntryBytes(uint gref) =>
        _machine.Memory.Frame(_frames[(int)(gref / GrantEntryV1.PerFrame)]).Slice((int)(gref % GrantEntryV1.PerFrame) * GrantEntryV1.Size, GrantEntryV1.Size);

    private sealed record Mapping(DomId Granter, uint Gref, ulong Frame, bool ReadOnly, bool ContainsPte);
}
