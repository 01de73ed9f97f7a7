namespace ActorVisor.Actors;

/// <summary>Akka's <c>Context.GetLogger()</c>: a logger whose source is the actor's path.</summary>
public static class Logging
{
    /// <summary>Returns a logger that publishes with the actor's path as source.</summary>
    public static ILoggingAdapter GetLogger(this IActorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new LoggingAdapter(context.System, context.Self.Path.ToStringWithoutAddress());
    }

    /// <summary>Returns a logger for code outside actors.</summary>
    public static ILoggingAdapter GetLogger(this ActorSystem system, string logSource)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new LoggingAdapter(system, logSource);
    }
}
