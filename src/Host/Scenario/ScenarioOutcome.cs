using ActorVisor.Host.Domains;

namespace ActorVisor.Host.Scenario;

/// <summary>What a scenario run produced: every domain's final record, the evaluated checks, the console, and the virtual time it ended at.</summary>
/// <param name="Error">Why the scenario could not run at all (a missing kernel, an unknown scheduler), or null.</param>
public sealed record ScenarioOutcome(
    IReadOnlyList<DomainInfo> Domains,
    IReadOnlyList<CheckOutcome> Checks,
    IReadOnlyList<ConsoleLinePrinted> Console,
    long EndNs,
    int PhysicalCpus,
    string? Error)
{
    /// <summary>Each IOPM's load over the run, in configuration order.</summary>
    public IReadOnlyList<Iopm.IopmInfo> Iopms { get; init; } = [];

    /// <summary>Every fault and recovery step of the run, at its virtual time, in order.</summary>
    public IReadOnlyList<Faults.FaultRecord> Faults { get; init; } = [];

    /// <summary>True when slices ran on physical-CPU threads (and the IOPMs on threads of their own).</summary>
    public bool Parallel { get; init; }

    /// <summary>True when the scenario ran and every check held.</summary>
    public bool Passed => Error is null && Checks.All(c => c.Passed);

    public static ScenarioOutcome Failed(string error) => new([], [], [], 0, 0, error);
}
