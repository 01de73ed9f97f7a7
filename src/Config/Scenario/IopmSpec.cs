namespace ActorVisor.Config.Scenario;

/// <summary>The split-driver backends an IOPM (a driver domain) can serve.</summary>
public enum BackendKind
{
    Console,
    Block,
    Net,
}

/// <summary>One IOPM: its name, the backends it serves, its supervisor's restart budget and its back-ends' watchdog period (0: off).</summary>
public sealed record IopmSpec(string Name, IReadOnlyList<BackendKind> Backends, int MaxRestarts, long RestartWindowNs, long WatchdogNs = Settings.IopmSettings.DefaultWatchdogNs);
