using ActorVisor.Scheduler;

namespace ActorVisor.Host.Domains;

/// <summary>What the hypervisor actor needs: the scheduling policy and CPUs, the seed, and where console lines and log lines go.</summary>
/// <param name="Policy">The scheduling policy; the hypervisor's scheduler actor is its only user.</param>
/// <param name="Scheduler">Physical CPUs and virtual time per instruction.</param>
/// <param name="Seed">Seeds what the host chooses freely (each domain's wall clock at boot).</param>
/// <param name="Console">Receives every console line of every domain, on the actor's thread.</param>
/// <param name="Log">Receives the hypervisor's own log lines (lifecycle decisions, host faults).</param>
/// <param name="MaxRestarts">How often a restart policy may rebuild one domain before it is kept as it is instead.</param>
/// <param name="Channels">The interdomain event channels the toolstack sets up as the domains they join are built.</param>
/// <param name="Memory">Counts the machine memory of live domains; a new ledger when not given.</param>
/// <param name="Cpus">The physical-CPU threads that run slices in parallel mode, or null to run each slice on the vCPU actor's own thread.</param>
/// <param name="Iopms">The IOPMs (driver domains) that serve the domains' devices; one serving every class when null or empty.</param>
/// <param name="Devices">Makes the back-end of each disk and vif; <see cref="Iopm.DeviceBackends.Create"/> when null.</param>
/// <param name="DeviceDirectory">The folder relative disk images are taken from (the scenario's); the working directory when null.</param>
/// <param name="IopmReport">Receives the IOPMs, whose load the caller reads after the run.</param>
/// <param name="Faults">The run's fault plan, handed to every IOPM and its devices; <see cref="ActorVisor.Devices.Faults.NoFaultSites"/> when null.</param>
/// <param name="Opened">Receives the host's store as host code uses it (under its lock, watch events delivered) and the seam, for tools and tests that act as a domain's client of them.</param>
/// <param name="Machine">
/// The machine all domains share (one frame table, so grants between them work), owned by the
/// caller, who disposes it after the physical-CPU threads stopped. Null: the hypervisor makes one of
/// <see cref="DefaultMachineMiB"/> and disposes it when it stops (serial mode only).
/// </param>
public sealed record HypervisorOptions(
    ISchedulerPolicy Policy,
    SchedulerOptions Scheduler,
    long Seed,
    Action<ConsoleLinePrinted> Console,
    Action<string> Log,
    int MaxRestarts = 3,
    IReadOnlyList<EventChannelPair>? Channels = null,
    HostMemoryLedger? Memory = null,
    PhysicalCpus? Cpus = null,
    Hypervisor.Machine? Machine = null,
    IReadOnlyList<Config.Scenario.IopmSpec>? Iopms = null,
    Iopm.DeviceBackendFactory? Devices = null,
    string? DeviceDirectory = null,
    Iopm.IopmReport? IopmReport = null,
    Action<HostStore, HostSeam>? Opened = null,
    ActorVisor.Devices.Faults.IFaultSites? Faults = null)
{
    /// <summary>The machine memory of a hypervisor given none, as reference.conf's actorvisor.machine.memory.</summary>
    public const int DefaultMachineMiB = 2048;
}
