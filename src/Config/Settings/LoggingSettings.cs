namespace ActorVisor.Config.Settings;

public enum LogLevel
{
    Trace,
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>actorvisor.logging: level and destination of log lines.</summary>
public sealed record LoggingSettings(LogLevel Level, string Target, bool LogMessages);
