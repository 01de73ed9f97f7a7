namespace ActorVisor.Host.Iopm;

/// <summary>
/// Moves one device of a domain to another IOPM: the old back-end disconnects, the back-end
/// directory moves to the new IOPM's domain, the front-end's backend and backend-id are pointed at
/// it, and the new back-end waits in InitWait for the front-end to publish its rings again.
/// <paramref name="Device"/> is the disk's vdev (xvda) or the vif's name (vif0). Answered with
/// <see cref="DeviceMoved"/> or <see cref="Domains.NotAllowed"/>.
/// </summary>
public sealed record MoveDevice(string Domain, string Device, string ToIopm);

/// <summary>The device is now served by IOPM <paramref name="Iopm"/> (domain <paramref name="IopmId"/>).</summary>
public sealed record DeviceMoved(string Domain, string Device, string Iopm, int IopmId);
