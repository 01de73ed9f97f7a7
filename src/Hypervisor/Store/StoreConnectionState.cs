namespace ActorVisor.Hypervisor.Store;

/// <summary>
/// The saved shape of a <see cref="StoreConnection"/>: a request half read from the ring, replies
/// not yet written (the first possibly partly written) and whether the connection was closed.
/// The ring page itself is guest memory and is saved with it.
/// </summary>
public sealed record StoreConnectionState(
    int Version,
    byte[] PartialRequest,
    IReadOnlyList<byte[]> PendingReplies,
    int FirstReplyBytesWritten,
    string? ClosedBecause)
{
    public const int CurrentVersion = 1;
}
