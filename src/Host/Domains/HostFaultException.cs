namespace ActorVisor.Host.Domains;

/// <summary>
/// A host exception raised inside a vCPU actor (a bug of ours, or one injected to test supervision),
/// carrying the domain it failed, the actor path and the guest state in its message.
/// </summary>
public sealed class HostFaultException : Exception
{
    public HostFaultException()
    {
    }

    public HostFaultException(string message)
        : base(message)
    {
    }

    public HostFaultException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public HostFaultException(int domainId, string message, Exception? inner = null)
        : base(message, inner)
    {
        DomainId = domainId;
    }

    /// <summary>The domain whose actors failed, when known.</summary>
    public int? DomainId { get; }
}
