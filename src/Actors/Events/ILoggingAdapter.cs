namespace ActorVisor.Actors;

/// <summary>Writes log events for one source (usually an actor path) to the event stream.</summary>
public interface ILoggingAdapter
{
    void Debug(string message);

    void Info(string message);

    void Warning(string message);

    void Error(Exception? cause, string message);
}
