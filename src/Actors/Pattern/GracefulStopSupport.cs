namespace ActorVisor.Actors;

/// <summary>Akka's GracefulStop: send a stop message and wait until the actor has really stopped.</summary>
public static class GracefulStopSupport
{
    /// <summary>
    /// Sends <paramref name="stopMessage"/> (PoisonPill by default) and completes with true once the
    /// actor has stopped (PostStop has run and its children are gone), or false after <paramref name="timeout"/>.
    /// </summary>
    public static Task<bool> GracefulStop(this IActorRef target, TimeSpan timeout, object? stopMessage = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target is not IInternalActorRef internalTarget)
        {
            return Task.FromResult(false);
        }
        var system = Futures.SystemOf(target);
        var watcher = new StopWatcher();
        watcher.Timeout = system.Scheduler.ScheduleOnce(timeout, () => watcher.Promise.TrySetResult(false));
        internalTarget.SendSystemMessage(new Watch(internalTarget, watcher));
        target.Tell(stopMessage ?? PoisonPill.Instance, null);
        return watcher.Promise.Task;
    }

    private sealed class StopWatcher : IInternalActorRef
    {
        public TaskCompletionSource<bool> Promise { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ICancelable? Timeout { get; set; }

        public ActorPath Path { get; } = ActorPath.Root("temp").Child("gracefulStop");

        public bool IsTerminated => Promise.Task.IsCompleted;

        public void Tell(object message, IActorRef? sender)
        {
        }

        public void SendSystemMessage(SystemMessage message)
        {
            if (message is DeathWatchNotification)
            {
                Promise.TrySetResult(true);
                Timeout?.Cancel();
            }
        }
    }
}
