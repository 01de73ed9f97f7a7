using ActorVisor.Abi;
using ActorVisor.Devices.Backends;
using ActorVisor.Host.Domains;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// An IOPM back-end's end of an event channel: the front-end's port, bound to the IOPM's domain id.
/// <see cref="Notify"/> raises the port inside the front-end's <see cref="LiveDomain.Exclusive"/>
/// (now if none of its slices runs, else when its slice ends), so shared_info is never written
/// under a running guest; a port the guest closed or rebound meanwhile is left alone.
/// </summary>
public sealed class FrontendChannel : IFrontendChannel
{
    private readonly LiveDomain _frontend;
    private readonly DomId _backend;
    private long _notifications;

    public FrontendChannel(LiveDomain frontend, uint port, DomId backend)
    {
        ArgumentNullException.ThrowIfNull(frontend);
        _frontend = frontend;
        FrontendPort = port;
        _backend = backend;
    }

    public uint FrontendPort { get; }

    /// <summary>Notifications the back-end sent so far.</summary>
    public long Notifications => Interlocked.Read(ref _notifications);

    public void Notify()
    {
        Interlocked.Increment(ref _notifications);
        var events = _frontend.Domain.Events;
        uint port = FrontendPort;
        var backend = _backend;
        _frontend.Exclusive(() => events.NotifyFromBackend(port, backend));
    }
}
