using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Grants;

/// <summary>
/// The grants of one front-end domain as one back-end domain inside the host uses them: copies
/// (GNTTABOP_copy from the back-end's side) and mappings held until disposed (GNTTABOP_map_grant_ref).
/// The front-end's table is looked up by id for each use, so a destroyed front-end answers
/// <see cref="BackendGrantError.GranterGone"/>. A mapping outlives the front-end's destruction: its
/// frame stays allocated (relinquished) until the mapping is disposed, as on Xen, where a driver
/// domain's grant mapping keeps a dying guest's page until the driver unmaps it. Callable from any
/// thread: every frame-table step holds the machine's frame lock.
/// </summary>
public sealed class BackendGrants
{
    private readonly Machine _machine;
    private readonly Func<DomId, GrantTable?> _tables;

    /// <param name="machine">The machine both domains live on.</param>
    /// <param name="tables">Finds a live domain's grant table by id (null when there is no such domain).</param>
    /// <param name="frontend">The granting domain.</param>
    /// <param name="backend">The back-end's domain id, which the grant entries must name.</param>
    public BackendGrants(Machine machine, Func<DomId, GrantTable?> tables, DomId frontend, DomId backend)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(tables);
        _machine = machine;
        _tables = tables;
        Frontend = frontend;
        Backend = backend;
    }

    public DomId Frontend { get; }

    public DomId Backend { get; }

    /// <summary>Copies <paramref name="destination"/>.Length bytes out of the granted page from <paramref name="offset"/>.</summary>
    public BackendGrantError CopyFrom(uint gref, int offset, Span<byte> destination)
    {
        var error = Acquire(gref, offset, destination.Length, write: false, out var table, out ulong mfn);
        if (error != BackendGrantError.None)
        {
            return error;
        }

        _machine.Memory.Frame(mfn).Slice(offset, destination.Length).CopyTo(destination);
        table!.ReleaseForBackend(gref, write: false, mfn);
        return BackendGrantError.None;
    }

    /// <summary>Copies <paramref name="source"/> into the granted page at <paramref name="offset"/>; the grant must be writable.</summary>
    public BackendGrantError CopyTo(uint gref, int offset, ReadOnlySpan<byte> source)
    {
        var error = Acquire(gref, offset, source.Length, write: true, out var table, out ulong mfn);
        if (error != BackendGrantError.None)
        {
            return error;
        }

        source.CopyTo(_machine.Memory.Frame(mfn)[offset..]);
        table!.ReleaseForBackend(gref, write: true, mfn);
        return BackendGrantError.None;
    }

    /// <summary>Maps the granted page until the mapping is disposed; read-only unless <paramref name="writable"/>.</summary>
    public BackendGrantError Map(uint gref, bool writable, out BackendGrantMapping? mapping)
    {
        mapping = null;
        var error = Acquire(gref, 0, 0, writable, out var table, out ulong mfn);
        if (error != BackendGrantError.None)
        {
            return error;
        }

        mapping = new BackendGrantMapping(_machine, table!, gref, writable, mfn);
        return BackendGrantError.None;
    }

    private BackendGrantError Acquire(uint gref, int offset, int length, bool write, out GrantTable? table, out ulong mfn)
    {
        mfn = 0;
        table = null;
        if (offset < 0 || length < 0 || offset + length > PageGeometry.PageSize)
        {
            return BackendGrantError.OutOfPage;
        }

        table = _tables(Frontend);
        return table is null ? BackendGrantError.GranterGone : table.AcquireForBackend(Backend, gref, write, out mfn);
    }
}

/// <summary>
/// One granted page mapped by a back-end inside the host: the live frame shared with the front-end,
/// holding its references and the entry's GTF_reading/GTF_writing mark until disposed.
/// </summary>
public sealed class BackendGrantMapping : IDisposable
{
    private readonly Machine _machine;
    private readonly GrantTable _table;
    private readonly ulong _mfn;
    private int _disposed;

    internal BackendGrantMapping(Machine machine, GrantTable table, uint gref, bool writable, ulong mfn)
    {
        _machine = machine;
        _table = table;
        GrantRef = gref;
        Writable = writable;
        _mfn = mfn;
    }

    public uint GrantRef { get; }

    public bool Writable { get; }

    /// <summary>The machine frame, for logs and tests.</summary>
    public ulong Mfn => _mfn;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The page's 4096 bytes; empty after disposal.</summary>
    public Span<byte> Bytes => IsDisposed ? [] : _machine.Memory.Frame(_mfn);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _table.ReleaseForBackend(GrantRef, Writable, _mfn);
        }
    }
}
