namespace ActorVisor.Host.Domains;

/// <summary>
/// Running totals of one domain across its incarnations, written by its vCPU actors after each
/// slice and read by the hypervisor for the summary. Updates are atomic so that they stay
/// correct when vCPUs run on several threads.
/// </summary>
public sealed class DomainCounters
{
    private long _instructions;
    private long _cpuNs;

    public long Instructions => Interlocked.Read(ref _instructions);

    public long CpuNs => Interlocked.Read(ref _cpuNs);

    public void AddSlice(long retired, long ranNs)
    {
        Interlocked.Add(ref _instructions, retired);
        Interlocked.Add(ref _cpuNs, ranNs);
    }
}
