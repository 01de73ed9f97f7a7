namespace ActorVisor.Devices.Faults;

/// <summary>
/// The places in a back-end's life where an injected fault can strike. A back-end asks its
/// <see cref="IFaultSite"/> at each of them and acts on the <see cref="FaultDecision"/>.
/// </summary>
public enum FaultPoint
{
    /// <summary>A request was copied off the ring (consumed) and nothing of it is done yet.</summary>
    RequestTaken,

    /// <summary>A write request's data is about to reach the host image (nothing written yet).</summary>
    BeforeData,

    /// <summary>The request's host I/O is done (data written or read) and its response is not yet on the ring.</summary>
    AfterData,

    /// <summary>A response was pushed to the ring and the front-end is about to be notified.</summary>
    ResponsePushed,

    /// <summary>A host read of the image (delay or fail it).</summary>
    HostRead,

    /// <summary>A host write of the image (delay, fail, short-write it).</summary>
    HostWrite,

    /// <summary>A host flush (fsync) of the image.</summary>
    HostFlush,

    /// <summary>The back-end notifies the front-end (drop or delay the notification).</summary>
    NotifyFrontend,

    /// <summary>The front-end's notification reaches the back-end (drop or delay it).</summary>
    NotifyBackend,
}
