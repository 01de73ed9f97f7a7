using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Scenario;

/// <summary>A condition checked at the end of a run; any failed check makes the run's exit code non-zero.</summary>
public abstract record ScenarioCheck(ConfigOrigin Origin);

/// <summary>The domain printed a console line containing <see cref="Contains"/> no later than <see cref="WithinNs"/> of virtual time.</summary>
public sealed record ConsoleLineCheck(ConfigOrigin Origin, string Domain, string Contains, long WithinNs) : ScenarioCheck(Origin);

/// <summary>The states a check can expect a domain to be in.</summary>
public enum ExpectedDomainState
{
    Running,
    Paused,
    Shutdown,
    Crashed,
    Destroyed,
}

/// <summary>The domain is in <see cref="State"/> at virtual time <see cref="AtNs"/> (or at the end of the run when null).</summary>
public sealed record DomainStateCheck(ConfigOrigin Origin, string Domain, ExpectedDomainState State, long? AtNs) : ScenarioCheck(Origin);

/// <summary>Every I/O request the domain (or every domain, when null) issued was completed, across backend and IOPM failures.</summary>
public sealed record NoIoLostCheck(ConfigOrigin Origin, string? Domain) : ScenarioCheck(Origin);
