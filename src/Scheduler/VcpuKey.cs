namespace ActorVisor.Scheduler;

/// <summary>Names one virtual CPU: the domain it belongs to and its index within that domain.</summary>
public readonly record struct VcpuKey(int DomainId, int VcpuIndex) : IComparable<VcpuKey>
{
    public int CompareTo(VcpuKey other) =>
        DomainId != other.DomainId ? DomainId.CompareTo(other.DomainId) : VcpuIndex.CompareTo(other.VcpuIndex);

    public override string ToString() => $"d{DomainId}v{VcpuIndex}";
}
