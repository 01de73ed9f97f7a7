namespace ActorVisor.Actors;

/// <summary>
/// A log line published on the event stream. <paramref name="Timestamp"/> is the system clock
/// (virtual under the deterministic dispatcher), so logs of a seeded run are reproducible.
/// </summary>
public sealed record LogEvent(LogLevel Level, TimeSpan Timestamp, string LogSource, string Message, Exception? Cause)
{
    public override string ToString()
    {
        var level = Level switch
        {
            LogLevel.Debug => "DEBUG",
            LogLevel.Info => "INFO",
            LogLevel.Warning => "WARNING",
            _ => "ERROR",
        };
        var cause = Cause is null ? "" : $" ({Cause.GetType().Name}: {Cause.Message})";
        return $"[{level}][{Timestamp.TotalMilliseconds:0.000}ms][{LogSource}] {Message}{cause}";
    }
}
