using ActorVisor.Config.Domain;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Scenario;

/// <summary>
/// The scenario behind <c>actorvisor create FILE.cfg</c>: one domain from an xl.cfg file, started
/// at virtual time zero on a machine with the reference settings, run until it shuts down or the
/// stop time passes. The kernel path is taken relative to the xl.cfg file's folder, as a
/// scenario's kernel paths are relative to the scenario file.
/// </summary>
public static class SingleDomainScenario
{
    /// <param name="domain">The domain, as <see cref="Xl.XlConfigLoader"/> read it.</param>
    /// <param name="configFile">The xl.cfg file it came from (its folder anchors relative paths).</param>
    /// <param name="stopAtNs">Virtual time at which the run ends if the domain is still alive.</param>
    /// <param name="seed">Seed of the run's free choices.</param>
    public static ScenarioSpec Create(DomainSpec domain, string configFile, long stopAtNs, long seed)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stopAtNs);
        var config = ConfigFactory.Default();
        var settings = ActorVisorSettings.FromConfig(config).Value!;
        string baseDirectory = Path.GetDirectoryName(Path.GetFullPath(configFile)) ?? ".";
        return new ScenarioSpec(
            domain.Name,
            $"xl create {Path.GetFileName(configFile)}",
            seed,
            stopAtNs,
            settings,
            [],
            [domain],
            [new StartDomain(0, domain.Origin, domain.Name)],
            [],
            config,
            baseDirectory);
    }
}
