namespace ActorVisor.Actors;

/// <summary>Akka's ScheduleTell family on top of <see cref="IScheduler"/>.</summary>
public static class SchedulerExtensions
{
    /// <summary>Sends <paramref name="message"/> to <paramref name="receiver"/> once after <paramref name="delay"/>.</summary>
    public static ICancelable ScheduleTellOnceCancelable(this IScheduler scheduler, TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return scheduler.ScheduleOnce(delay, () => receiver.Tell(message, sender));
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="receiver"/> once after <paramref name="delay"/>.</summary>
    public static void ScheduleTellOnce(this IScheduler scheduler, TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
        => ScheduleTellOnceCancelable(scheduler, delay, receiver, message, sender);

    /// <summary>Sends <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="initialDelay"/> and every <paramref name="interval"/>.</summary>
    public static ICancelable ScheduleTellRepeatedlyCancelable(this IScheduler scheduler, TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return scheduler.ScheduleRepeatedly(initialDelay, interval, () => receiver.Tell(message, sender));
    }
}
