namespace ActorVisor.Hypervisor.Pv;

/// <summary>How a PV domain runs, beyond what the domain builder decided.</summary>
/// <param name="VcpuCount">vCPUs the domain has; vCPU 0 starts online, the others offline.</param>
/// <param name="NanosecondsPerInstruction">Virtual time per retired instruction (1.0 = a 1 GHz in-order guest).</param>
/// <param name="WallclockAtZeroNs">Unix time in ns at system time 0, written to shared_info's wallclock.</param>
/// <param name="PeriodicTimerNs">The default periodic VIRQ_TIMER period every PV vCPU has (Xen: 10 ms); 0 disables it.</param>
public sealed record PvDomainOptions(
    int VcpuCount = 1,
    double NanosecondsPerInstruction = 1.0,
    long WallclockAtZeroNs = 1_767_225_600L * 1_000_000_000L,
    long PeriodicTimerNs = 10_000_000);
