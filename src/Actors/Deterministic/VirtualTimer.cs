namespace ActorVisor.Actors.Deterministic;

using Akka.Actor;

/// <summary>
/// One pending timer of <see cref="DeterministicRuntime"/>: fires its action once, or every
/// interval until cancelled. It counts as cancelled when its own cancelable or the caller's
/// (Akka's timers pass one) has been cancelled.
/// </summary>
internal sealed class VirtualTimer(DeterministicRuntime runtime, Action action, TimeSpan? interval, ICancelable? cancelable)
{
    public bool IsCancelled => cancelable?.IsCancellationRequested == true;

    public void Fire()
    {
        if (IsCancelled)
        {
            return;
        }

        action();
        if (interval is { } every && !IsCancelled)
        {
            runtime.Reschedule(this, every);
        }
    }
}
