namespace ActorVisor.Actors;

/// <summary>Severity of a <see cref="LogEvent"/>, lowest first.</summary>
public enum LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}
