using ActorVisor.Abi;

namespace ActorVisor.Hypervisor.Boot;

/// <summary>What the toolstack asks for when building a PV domain.</summary>
/// <param name="Id">The new domain's id.</param>
/// <param name="MemoryPages">nr_pages: the domain's RAM in 4 KiB pages.</param>
/// <param name="CommandLine">The kernel command line (at most 1023 bytes).</param>
/// <param name="IsPrivileged">True for the control domain (start_info flags PRIVILEGED|INITDOMAIN).</param>
/// <param name="StoreEvtchn">The XenStore event channel port in the guest (xl uses 1).</param>
/// <param name="ConsoleEvtchn">The console event channel port in the guest (xl uses 2).</param>
/// <param name="Module">The boot module (xl's ramdisk, e.g. a Linux initramfs), or null for none.</param>
/// <param name="UnboundPorts">
/// Event channel ports the toolstack allocates unbound before the guest first runs, each for the
/// domain that will bind it (the channels it names on the command line), or null for none.
/// </param>
public sealed record DomainConfig(
    DomId Id,
    ulong MemoryPages,
    string CommandLine = "",
    bool IsPrivileged = false,
    uint StoreEvtchn = 1,
    uint ConsoleEvtchn = 2,
    byte[]? Module = null,
    IReadOnlyList<UnboundPort>? UnboundPorts = null)
{
    /// <summary>A configuration with <paramref name="megabytes"/> MiB of RAM.</summary>
    public static DomainConfig WithMegabytes(DomId id, int megabytes, string commandLine = "") =>
        new(id, (ulong)megabytes * 256, commandLine);
}

/// <summary>A port allocated unbound at build time: <paramref name="RemoteDom"/> may bind it.</summary>
public readonly record struct UnboundPort(uint Port, DomId RemoteDom);
