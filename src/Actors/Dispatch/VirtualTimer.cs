namespace ActorVisor.Actors;

/// <summary>A timer of the deterministic runtime; periodic timers re-enter the queue after each firing.</summary>
internal sealed class VirtualTimer(DeterministicRuntime runtime, Action action, TimeSpan? interval) : ICancelable
{
    public bool IsCancellationRequested { get; private set; }

    public void Cancel() => IsCancellationRequested = true;

    public void Fire()
    {
        if (IsCancellationRequested)
        {
            return;
        }
        if (interval is { } period)
        {
            runtime.Reschedule(this, period);
        }
        action();
    }
}
