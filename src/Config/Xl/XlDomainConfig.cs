using ActorVisor.Config.Domain;

namespace ActorVisor.Config.Xl;

/// <summary>A domain read from an xl.cfg file, with the settings that ActorVisor recognised but ignored (reported as warnings with their location).</summary>
public sealed record XlDomainConfig(DomainSpec Domain, IReadOnlyList<ConfigError> Warnings);
