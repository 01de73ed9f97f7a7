namespace ActorVisor.Hypervisor.Snapshots;

/// <summary>A stored snapshot or an exported snapshot file is corrupt, truncated or of a format version this build cannot read; the message says which and where.</summary>
public sealed class SnapshotFormatException : Exception
{
    public SnapshotFormatException()
    {
    }

    public SnapshotFormatException(string message)
        : base(message)
    {
    }

    public SnapshotFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
