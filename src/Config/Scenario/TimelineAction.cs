using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Scenario;

/// <summary>An action of a scenario's timeline, taken when virtual time reaches <see cref="AtNs"/>. Actions at the same time run in file order.</summary>
public abstract record TimelineAction(long AtNs, ConfigOrigin Origin);

/// <summary>Build the domain (paused) and unpause it.</summary>
public sealed record StartDomain(long AtNs, ConfigOrigin Origin, string Domain) : TimelineAction(AtNs, Origin);

public sealed record PauseDomain(long AtNs, ConfigOrigin Origin, string Domain) : TimelineAction(AtNs, Origin);

public sealed record UnpauseDomain(long AtNs, ConfigOrigin Origin, string Domain) : TimelineAction(AtNs, Origin);

/// <summary>Save the domain's state under <see cref="Snapshot"/> and stop it.</summary>
public sealed record SaveDomain(long AtNs, ConfigOrigin Origin, string Domain, string Snapshot) : TimelineAction(AtNs, Origin);

/// <summary>Rebuild a domain from a snapshot written by an earlier save.</summary>
public sealed record RestoreDomain(long AtNs, ConfigOrigin Origin, string Domain, string Snapshot) : TimelineAction(AtNs, Origin);

/// <summary>Live-migrate the domain to another host (in a scenario, another hypervisor instance named <see cref="TargetHost"/>).</summary>
public sealed record MigrateDomain(long AtNs, ConfigOrigin Origin, string Domain, string TargetHost) : TimelineAction(AtNs, Origin);

/// <summary>
/// Asks the guest to shut down (or reboot) as <c>xl shutdown</c> / <c>xl reboot</c> do: the
/// toolstack writes "poweroff" or "reboot" to the domain's control/shutdown node in XenStore and
/// the guest acts on it; a guest that ignores it keeps running.
/// </summary>
public sealed record ShutdownDomain(long AtNs, ConfigOrigin Origin, string Domain, bool Reboot) : TimelineAction(AtNs, Origin);

public sealed record DestroyDomain(long AtNs, ConfigOrigin Origin, string Domain) : TimelineAction(AtNs, Origin);

/// <summary>What is broken by an injected fault.</summary>
public enum FaultTarget
{
    /// <summary>A whole IOPM (driver domain).</summary>
    Iopm,

    /// <summary>The backend that serves one device of one domain.</summary>
    Backend,

    /// <summary>The guest kernel of a domain.</summary>
    Guest,
}

public enum FaultKind
{
    /// <summary>The target fails as if it crashed; its supervisor (or the domain's on_crash policy) reacts.</summary>
    Crash,

    /// <summary>The target stops responding without failing.</summary>
    Hang,

    /// <summary>The target throws a host exception, exercising supervision of our own bugs.</summary>
    HostException,
}

/// <summary>
/// Break something on purpose. <see cref="Name"/> is the IOPM name for an IOPM fault, otherwise
/// the domain; <see cref="Device"/> names the domain's device (xvda, vif0) for a backend fault.
/// </summary>
public sealed record InjectFault(long AtNs, ConfigOrigin Origin, FaultTarget Target, string Name, string? Device, FaultKind Kind) : TimelineAction(AtNs, Origin);

/// <summary>
/// Arm a rule of the fault grammar at <see cref="TimelineAction.AtNs"/> (<c>action = inject</c>): a
/// strike (crash or hang with no point or count) acts on the IOPM or its devices at once; any other
/// rule fires at the target's fault points from then on.
/// </summary>
public sealed record InjectRule(long AtNs, ConfigOrigin Origin, Faults.FaultRule Rule) : TimelineAction(AtNs, Origin);
