namespace ActorVisor.Actors;

/// <summary>Implemented by actors that use timers; the kernel sets <see cref="Timers"/> before the constructor body runs.</summary>
public interface IWithTimers
{
    ITimerScheduler Timers { get; set; }
}
