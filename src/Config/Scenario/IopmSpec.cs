namespace ActorVisor.Config.Scenario;

/// <summary>The split-driver backends an IOPM (a driver domain) can serve.</summary>
public enum BackendKind
{
    Console,
    Block,
    Net,
}

/// <summary>One IOPM: its name, the backends it serves and its supervisor's restart budget.</summary>
public sealed record IopmSpec(string Name, IReadOnlyList<BackendKind> Backends, int MaxRestarts, long RestartWindowNs);
