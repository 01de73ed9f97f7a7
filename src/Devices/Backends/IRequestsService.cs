namespace ActorVisor.Devices.Backends;

/// <summary>
/// A back-end that gets work from somewhere other than its front-end's notifications (a network
/// back-end receives frames from its virtual switch, on the sender's thread) and so needs its host
/// to call <see cref="IDeviceBackend.Service"/> for it. The host sets <see cref="ServiceRequested"/>
/// once, before connecting; the back-end invokes it from any thread, and the host answers with a
/// Service call on the back-end's own thread. Requests made while one is pending may be merged.
/// </summary>
public interface IRequestsService
{
    Action? ServiceRequested { get; set; }
}
