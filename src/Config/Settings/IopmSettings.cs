namespace ActorVisor.Config.Settings;

/// <summary>actorvisor.iopm: restart budget of IOPM and backend supervisors.</summary>
public sealed record IopmSettings(int MaxRestarts, long RestartWindowNs, long WatchdogNs = IopmSettings.DefaultWatchdogNs)
{
    /// <summary>The watchdog's default period: 20 ms of virtual time.</summary>
    public const long DefaultWatchdogNs = 20_000_000;
}
