namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>
/// One component's saved state inside a snapshot: its name (for example <c>domain</c>,
/// <c>vcpu/0</c>, <c>evtchn</c>, <c>grant</c>, <c>store</c>, <c>console</c>, <c>clock</c>,
/// <c>vbd/51712</c>), the version of its state format, and the encoded bytes. The encoding is the
/// component's own; the snapshot store treats the payload as opaque bytes.
/// </summary>
public sealed record StateSection(string Name, int Version, byte[] Payload);
