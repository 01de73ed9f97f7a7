namespace ActorVisor.Actors;

/// <summary>The scheduler of a deterministic system: time is the runtime's virtual clock.</summary>
internal sealed class VirtualScheduler(DeterministicRuntime runtime) : IScheduler
{
    public TimeSpan Now => runtime.Now;

    public ICancelable ScheduleOnce(TimeSpan delay, Action action) => runtime.AddTimer(delay, null, action);

    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action)
        => runtime.AddTimer(initialDelay, interval, action);
}
