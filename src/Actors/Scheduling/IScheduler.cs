namespace ActorVisor.Actors;

/// <summary>
/// The system's clock and timer service. Under the deterministic dispatcher it is virtual: time
/// moves only when the runtime advances it, and due actions run in due-time order.
/// </summary>
public interface IScheduler
{
    /// <summary>Gets the monotonic time since the system started.</summary>
    TimeSpan Now { get; }

    /// <summary>Runs <paramref name="action"/> once after <paramref name="delay"/>.</summary>
    ICancelable ScheduleOnce(TimeSpan delay, Action action);

    /// <summary>Runs <paramref name="action"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action);
}
