using ActorVisor.Config.Domain;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Scenario;

/// <summary>
/// A validated scenario: the system settings it runs under, its IOPMs and domains, the timeline
/// of actions at virtual times and the checks that decide its exit code. Virtual times are in
/// nanoseconds from the start of the run. Relative file names in it (kernels, disk images) are
/// relative to <see cref="BaseDirectory"/>, the directory of the scenario file.
/// </summary>
public sealed record ScenarioSpec(
    string Name,
    string Description,
    long Seed,
    long StopAtNs,
    ActorVisorSettings Settings,
    IReadOnlyList<IopmSpec> Iopms,
    IReadOnlyList<DomainSpec> Domains,
    IReadOnlyList<TimelineAction> Timeline,
    IReadOnlyList<ScenarioCheck> Checks,
    Config Config,
    string BaseDirectory)
{
    /// <summary>The <c>faults</c> list: rules armed from the start (or their own time) for the whole run; the timeline's <c>inject</c> rules are in <see cref="Timeline"/>.</summary>
    public IReadOnlyList<Faults.FaultRule> Faults { get; init; } = [];
}
