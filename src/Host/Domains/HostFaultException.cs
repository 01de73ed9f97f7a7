namespace ActorVisor.Host.Domains;

/// <summary>A host exception raised inside a vCPU actor (a bug of ours, or one injected to test supervision), carrying the actor path and the guest state.</summary>
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
}
