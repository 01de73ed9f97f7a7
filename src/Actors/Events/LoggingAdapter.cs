namespace ActorVisor.Actors;

/// <summary>Publishes <see cref="LogEvent"/>s stamped with the system clock, skipping levels below the system's minimum.</summary>
internal sealed class LoggingAdapter(ActorSystem system, string logSource) : ILoggingAdapter
{
    public void Debug(string message) => Publish(LogLevel.Debug, message, null);

    public void Info(string message) => Publish(LogLevel.Info, message, null);

    public void Warning(string message) => Publish(LogLevel.Warning, message, null);

    public void Error(Exception? cause, string message) => Publish(LogLevel.Error, message, cause);

    private void Publish(LogLevel level, string message, Exception? cause)
    {
        if (level >= system.Options.MinimumLogLevel)
        {
            system.EventStream.Publish(new LogEvent(level, system.Scheduler.Now, logSource, message, cause));
        }
    }
}
