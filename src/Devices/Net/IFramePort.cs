namespace ActorVisor.Devices.Net;

/// <summary>
/// Something a virtual switch delivers frames to: a vif's back-end, the loopback endpoint, a test
/// probe. <see cref="Deliver"/> may be called on any thread (the sending port's) and must not block:
/// a port that cannot take the frame now drops it and counts the drop.
/// </summary>
public interface IFramePort
{
    /// <summary>For logs and counters ("vif3.0").</summary>
    string Name { get; }

    void Deliver(EthernetFrame frame);
}
