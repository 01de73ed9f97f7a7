using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Domain;

/// <summary>Scheduler parameters of one domain: relative weight and a cap in percent of one physical CPU (0 is no cap).</summary>
public sealed record SchedulerParameters(int Weight, int CapPercent);

/// <summary>
/// Everything needed to build one domain, whether it came from a scenario or an xl.cfg file.
/// Sizes are in bytes; <see cref="Origin"/> points at the place the domain was defined.
/// </summary>
public sealed record DomainSpec(
    string Name,
    DomainType Type,
    string Kernel,
    string? Ramdisk,
    string Cmdline,
    long MemoryBytes,
    long MaxMemoryBytes,
    int Vcpus,
    SchedulerParameters Scheduler,
    IReadOnlyList<DiskSpec> Disks,
    IReadOnlyList<VifSpec> Vifs,
    LifecycleAction OnPoweroff,
    LifecycleAction OnReboot,
    LifecycleAction OnCrash,
    ConfigOrigin Origin);
