using ActorVisor.Config.Domain;

namespace ActorVisor.Host.Domains;

/// <summary>Builds a domain from <paramref name="Spec"/> and its kernel image; it starts paused. Answered with <see cref="Created"/> or <see cref="NotAllowed"/>.</summary>
public sealed record Create(DomainSpec Spec, ReadOnlyMemory<byte> Kernel, byte[]? Ramdisk = null);

/// <summary>Lets a paused domain run. Answered with <see cref="Unpaused"/> or <see cref="NotAllowed"/>.</summary>
public sealed record Unpause(string Domain);

/// <summary>Stops a running domain between slices. Answered with <see cref="Paused"/> or <see cref="NotAllowed"/>.</summary>
public sealed record Pause(string Domain);

/// <summary>Tears a domain down and frees its memory. Answered with <see cref="Destroyed"/> or <see cref="NotAllowed"/>.</summary>
public sealed record Destroy(string Domain);

/// <summary>
/// Sets the most memory a running or paused domain may hold (its max reservation, as
/// XEN_DOMCTL_max_mem), in bytes rounded down to whole pages. Answered with <see cref="MemorySet"/>,
/// or <see cref="NotAllowed"/> when the domain is not live or already holds more than that.
/// </summary>
public sealed record SetMemory(string Domain, long MaxBytes);

/// <summary>Asks for every domain the hypervisor knows, live or kept. Answered with <see cref="DomainsListed"/>.</summary>
public sealed record ListDomains;

/// <summary>Arms a host exception in vCPU 0 of the domain, thrown at its next slice (a stand-in for a bug of ours). Answered with <see cref="HostFaultArmed"/> or <see cref="NotAllowed"/>.</summary>
public sealed record InjectHostFault(string Domain);

/// <summary>The domain was built and is paused.</summary>
public sealed record Created(string Domain, int DomainId);

/// <summary>The domain runs.</summary>
public sealed record Unpaused(string Domain);

/// <summary>The domain is paused.</summary>
public sealed record Paused(string Domain);

/// <summary>The domain's max reservation is now <paramref name="MaxBytes"/>.</summary>
public sealed record MemorySet(string Domain, long MaxBytes);

/// <summary>The domain is gone.</summary>
public sealed record Destroyed(string Domain);

/// <summary>Every known domain, in creation order.</summary>
public sealed record DomainsListed(IReadOnlyList<DomainInfo> Domains);

/// <summary>The host fault will be thrown at the domain's next slice.</summary>
public sealed record HostFaultArmed(string Domain);

/// <summary>The operation is illegal in the domain's current state, or names no domain.</summary>
public sealed record NotAllowed(string Reason);

/// <summary>
/// Asks a running guest to shut down or reboot, as <c>xl shutdown</c> and <c>xl reboot</c> do: writes
/// "poweroff" or "reboot" to /local/domain/&lt;id&gt;/control/shutdown in XenStore. Answered with
/// <see cref="ShutdownRequested"/>, or <see cref="NotAllowed"/> when the domain does not run.
/// </summary>
public sealed record RequestShutdown(string Domain, bool Reboot);

/// <summary>The request is in the domain's XenStore directory; whether the guest acts on it is the guest's choice.</summary>
public sealed record ShutdownRequested(string Domain);
