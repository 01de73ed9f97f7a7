namespace ActorVisor.Devices.Backends;

/// <summary>
/// The back-end's end of an event channel to its front-end. <see cref="Notify"/> raises the
/// front-end's port (EVTCHNOP_send from the back-end's side); notifications the front-end sends come
/// to the back-end as <see cref="IDeviceBackend.Service"/> calls on the back-end's own thread.
/// </summary>
public interface IFrontendChannel
{
    /// <summary>The front-end's port number (for logs and counters).</summary>
    uint FrontendPort { get; }

    void Notify();
}
