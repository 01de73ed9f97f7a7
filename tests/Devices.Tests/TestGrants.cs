using ActorVisor.Devices.Backends;

namespace ActorVisor.Devices.Tests;

/// <summary>
/// A front-end's granted pages held in test memory, for driving back-ends through real ring bytes
/// without a hypervisor. It keeps the rules the host's implementation keeps (reference in range,
/// granted, writable unless read-only, inside the page) so that a back-end that breaks them fails
/// here too; the host's own implementation over a real grant table is tested in Host.Tests.
/// </summary>
public sealed class TestGrants : IGrantedMemory
{
    private readonly Dictionary<uint, (byte[] Page, bool ReadOnly)> _grants = [];
    private uint _next = 8;

    /// <summary>Live mappings (rings and persistent grants a back-end still holds).</summary>
    public int MappedPages { get; private set; }

    /// <summary>Grants a new zeroed page; returns its reference.</summary>
    public uint Grant(bool readOnly = false) => Grant(new byte[4096], readOnly);

    /// <summary>Grants <paramref name="page"/> (4096 bytes, shared, not copied).</summary>
    public uint Grant(byte[] page, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (page.Length != 4096)
        {
            throw new ArgumentException("a page is 4096 bytes", nameof(page));
        }

        uint gref = _next++;
        _grants[gref] = (page, readOnly);
        return gref;
    }

    /// <summary>The page behind a reference, as the front-end sees it.</summary>
    public byte[] Page(uint grantRef) => _grants[grantRef].Page;

    /// <summary>Ends the front-end's grant (later accesses fail with <see cref="GrantAccessError.NotGranted"/>).</summary>
    public void Revoke(uint grantRef) => _grants.Remove(grantRef);

    public GrantAccessError CopyFrom(uint grantRef, int offset, Span<byte> destination)
    {
        var error = Check(grantRef, offset, destination.Length, write: false, out var page);
        if (error == GrantAccessError.None)
        {
            page.AsSpan(offset, destination.Length).CopyTo(destination);
        }

        return error;
    }

    public GrantAccessError CopyTo(uint grantRef, int offset, ReadOnlySpan<byte> source)
    {
        var error = Check(grantRef, offset, source.Length, write: true, out var page);
        if (error == GrantAccessError.None)
        {
            source.CopyTo(page.AsSpan(offset));
        }

        return error;
    }

    public GrantAccessError Map(uint grantRef, bool writable, out IGrantedPage? page)
    {
        page = null;
        var error = Check(grantRef, 0, 4096, writable, out var bytes);
        if (error == GrantAccessError.None)
        {
            MappedPages++;
            page = new Mapping(this, grantRef, writable, bytes);
        }

        return error;
    }

    private GrantAccessError Check(uint grantRef, int offset, int length, bool write, out byte[] page)
    {
        page = [];
        if (!_grants.TryGetValue(grantRef, out var grant))
        {
            return grantRef >= _next ? GrantAccessError.BadReference : GrantAccessError.NotGranted;
        }

        if (offset < 0 || length < 0 || offset + length > 4096)
        {
            return GrantAccessError.OutOfPage;
        }

        if (write && grant.ReadOnly)
        {
            return GrantAccessError.ReadOnly;
        }

        page = grant.Page;
        return GrantAccessError.None;
    }

    private sealed class Mapping(TestGrants owner, uint grantRef, bool writable, byte[] bytes) : IGrantedPage
    {
        private byte[]? _bytes = bytes;

        public uint GrantRef => grantRef;

        public bool Writable => writable;

        public Span<byte> Bytes => _bytes;

        public void Dispose()
        {
            if (_bytes is not null)
            {
                _bytes = null;
                owner.MappedPages--;
            }
        }
    }
}

/// <summary>A front-end's event channel in tests: counts the back-end's notifications.</summary>
public sealed class TestChannel(uint port = 5) : IFrontendChannel
{
    public uint FrontendPort => port;

    public int Notifications { get; private set; }

    public void Notify() => Notifications++;
}
