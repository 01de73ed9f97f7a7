namespace ActorVisor.Devices.Backends;

/// <summary>
/// The pages one front-end domain granted to a back-end's domain, as the back-end sees them. The
/// host implements it over the front-end's grant table with Xen's checks (the entry must permit
/// access to the back-end's domain id, writable unless read-only, the frame must be the granter's),
/// so a back-end can reach nothing the guest did not grant. Copies are GNTTABOP_copy; a mapping is
/// GNTTABOP_map_grant_ref held until disposed (for rings and persistent grants). Callable from the
/// back-end's own thread; the guest may be running on another.
/// </summary>
public interface IGrantedMemory
{
    /// <summary>Copies <paramref name="destination"/>.Length bytes from offset <paramref name="offset"/> of the granted page.</summary>
    GrantAccessError CopyFrom(uint grantRef, int offset, Span<byte> destination);

    /// <summary>Copies <paramref name="source"/> into the granted page at <paramref name="offset"/> (the grant must be writable).</summary>
    GrantAccessError CopyTo(uint grantRef, int offset, ReadOnlySpan<byte> source);

    /// <summary>Maps the granted page for as long as the returned mapping lives; read-only unless <paramref name="writable"/>.</summary>
    GrantAccessError Map(uint grantRef, bool writable, out IGrantedPage? page);
}

/// <summary>
/// One granted page mapped into a back-end. <see cref="Bytes"/> is the live page shared with the
/// guest: the guest may change it at any moment, so a back-end reads each field it acts on once
/// (into a local) and validates the copy, never the shared bytes twice.
/// </summary>
public interface IGrantedPage : IDisposable
{
    uint GrantRef { get; }

    bool Writable { get; }

    /// <summary>The page's 4096 bytes; empty after disposal.</summary>
    Span<byte> Bytes { get; }
}
