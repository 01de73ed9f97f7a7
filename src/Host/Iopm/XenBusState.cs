namespace ActorVisor.Host.Iopm;

/// <summary>
/// The XenBus device states of io/xenbus.h, as written (in decimal) into the front-end's and the
/// back-end's <c>state</c> nodes. A back-end walks
/// <code>
/// Initialising --back-end probed--> InitWait --front-end Initialised/Connected, Connect ok--> Connected
/// Connected --front-end Closing--> Closing --front-end Closed--> Closed --front-end Initialising--> InitWait
/// </code>
/// </summary>
public enum XenBusState
{
    Unknown = 0,
    Initialising = 1,
    InitWait = 2,
    Initialised = 3,
    Connected = 4,
    Closing = 5,
    Closed = 6,
    Reconfiguring = 7,
    Reconfigured = 8,
}
