namespace ActorVisor.Actors.Deterministic;

using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

/// <summary>
/// Akka's scheduler on virtual time, plugged in with
/// <c>akka.scheduler.implementation = "ActorVisor.Actors.Deterministic.VirtualTimeScheduler, ActorVisor.Actors"</c>.
/// It owns the system's <see cref="DeterministicRuntime"/> (seeded from
/// <c>akka.deterministic.seed</c>): every timer, Tell and action scheduled through it (Akka's
/// <c>Timers</c>, <c>ScheduleTellOnce</c>, the dispatchers' shutdown) fires when the loop's
/// virtual time reaches it, in (due time, scheduling order). <c>Now</c> is a fixed epoch plus
/// virtual time, and the monotonic clocks are virtual time, so that nothing Akka asks of the
/// scheduler depends on the host's clock.
/// </summary>
public sealed class VirtualTimeScheduler : SchedulerBase, IDisposable
{
    /// <summary>The wall-clock date virtual time zero stands for: 2000-01-01 UTC, as Xen's default wallclock base.</summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public VirtualTimeScheduler(Config scheduler, ILoggingAdapter log)
        : base(scheduler, log)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        Runtime = new DeterministicRuntime(scheduler.GetLong("akka.deterministic.seed", 0));
    }

    /// <summary>Gets the loop this scheduler's timers run on.</summary>
    public DeterministicRuntime Runtime { get; }

    public override TimeSpan MonotonicClock => Runtime.Now;

    public override TimeSpan HighResMonotonicClock => Runtime.Now;

    protected override DateTimeOffset TimeNow => Epoch + Runtime.Now;

    public void Dispose()
    {
    }

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable)
        => Runtime.AddTimer(delay, null, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable)
        => Runtime.AddTimer(initialDelay, interval, () => receiver.Tell(message, sender), cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable)
        => Runtime.AddTimer(delay, null, action, cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable)
        => Runtime.AddTimer(delay, null, action.Run, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable)
        => Runtime.AddTimer(initialDelay, interval, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable)
        => Runtime.AddTimer(initialDelay, interval, action.Run, cancelable);
}
