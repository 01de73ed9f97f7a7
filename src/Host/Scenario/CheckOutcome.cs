namespace ActorVisor.Host.Scenario;

/// <summary>One evaluated scenario check: what it asked, whether it held, and what was seen.</summary>
public sealed record CheckOutcome(string Check, bool Passed, string Detail);
