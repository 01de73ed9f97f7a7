namespace ActorVisor.Config.Settings;

/// <summary>actorvisor.metrics: per-domain counters and their sampling interval in virtual time.</summary>
public sealed record MetricsSettings(bool Enabled, long IntervalNs);
