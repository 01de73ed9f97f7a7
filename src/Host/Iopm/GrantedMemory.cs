using ActorVisor.Devices.Backends;
using ActorVisor.Hypervisor.Grants;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// A front-end's grants as an IOPM's back-end sees them (<see cref="IGrantedMemory"/>), over the
/// hypervisor's <see cref="BackendGrants"/> for the (front-end, IOPM) pair: every check is Xen's and
/// is made on the front-end's own grant table; the refusals come back as <see cref="GrantAccessError"/>.
/// </summary>
public sealed class GrantedMemory : IGrantedMemory
{
    private readonly BackendGrants _grants;

    public GrantedMemory(BackendGrants grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        _grants = grants;
    }

    public GrantAccessError CopyFrom(uint grantRef, int offset, Span<byte> destination) => Translate(_grants.CopyFrom(grantRef, offset, destination));

    public GrantAccessError CopyTo(uint grantRef, int offset, ReadOnlySpan<byte> source) => Translate(_grants.CopyTo(grantRef, offset, source));

    public GrantAccessError Map(uint grantRef, bool writable, out IGrantedPage? page)
    {
        var error = _grants.Map(grantRef, writable, out var mapping);
        page = mapping is null ? null : new MappedPage(mapping);
        return Translate(error);
    }

    public static GrantAccessError Translate(BackendGrantError error) => error switch
    {
        BackendGrantError.None => GrantAccessError.None,
        BackendGrantError.BadReference => GrantAccessError.BadReference,
        BackendGrantError.NotGranted => GrantAccessError.NotGranted,
        BackendGrantError.ReadOnly => GrantAccessError.ReadOnly,
        BackendGrantError.BadFrame => GrantAccessError.BadFrame,
        BackendGrantError.OutOfPage => GrantAccessError.OutOfPage,
        BackendGrantError.GranterGone => GrantAccessError.FrontendGone,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };

    private sealed class MappedPage(BackendGrantMapping mapping) : IGrantedPage
    {
        public uint GrantRef => mapping.GrantRef;

        public bool Writable => mapping.Writable;

        public Span<byte> Bytes => mapping.Bytes;

        public void Dispose() => mapping.Dispose();
    }
}
