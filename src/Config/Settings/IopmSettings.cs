namespace ActorVisor.Config.Settings;

/// <summary>actorvisor.iopm: restart budget of IOPM and backend supervisors.</summary>
public sealed record IopmSettings(int MaxRestarts, long RestartWindowNs);
