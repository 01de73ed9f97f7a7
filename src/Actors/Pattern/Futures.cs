namespace ActorVisor.Actors;

/// <summary>Ask: send a message with a temporary sender and get the first reply as a task.</summary>
public static class Futures
{
    /// <summary>Asks <paramref name="target"/> and returns its reply; with a timeout, fails with <see cref="AskTimeoutException"/> naming the target.</summary>
    public static Task<object> Ask(this IActorRef target, object message, TimeSpan? timeout = null)
        => Ask<object>(target, message, timeout);

    /// <summary>Asks <paramref name="target"/> and returns its reply as <typeparamref name="T"/>.</summary>
    public static Task<T> Ask<T>(this IActorRef target, object message, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        var system = SystemOf(target);
        var promise = new PromiseActorRef<T>(system);
        if (timeout is { } limit && limit != System.Threading.Timeout.InfiniteTimeSpan)
        {
            promise.Timeout = system.Scheduler.ScheduleOnce(limit, () => promise.TryFail(new AskTimeoutException(
                $"Ask timed out on [{target.Path.ToStringWithoutAddress()}] after {limit.TotalMilliseconds} ms; the message of type {message.GetType().Name} got no reply.")));
        }
        target.Tell(message, promise);
        return promise.Task;
    }

    internal static ActorSystem SystemOf(IActorRef target) => target switch
    {
        LocalActorRef local => local.Cell.System,
        _ => ActorCell.Current?.System ?? throw new ArgumentException($"Cannot ask {target}: it is not an actor of a local system.", nameof(target)),
    };
}
