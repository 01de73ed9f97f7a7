using ActorVisor.Config.Domain;

namespace ActorVisor.Config.Settings;

/// <summary>actorvisor.domain-defaults: what a domain gets when its scenario entry or xl.cfg file does not say.</summary>
public sealed record DomainDefaults(
    long MemoryBytes,
    int Vcpus,
    string Cmdline,
    int Weight,
    int CapPercent,
    LifecycleAction OnPoweroff,
    LifecycleAction OnReboot,
    LifecycleAction OnCrash);
