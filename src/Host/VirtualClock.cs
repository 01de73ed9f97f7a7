namespace ActorVisor.Host;

/// <summary>
/// The one conversion between the actor system's clock and the hypervisor's virtual nanoseconds.
/// The clock counts in 100 ns ticks (<see cref="TimeSpan"/>); guests, policies and scenarios count
/// in nanoseconds. Delays are rounded up, and a delay is at least one tick so that time always moves.
/// </summary>
public static class VirtualClock
{
    private const long NanosecondsPerTick = 100;

    /// <summary>The clock's reading <paramref name="now"/> in nanoseconds.</summary>
    public static long Nanoseconds(TimeSpan now) => now.Ticks * NanosecondsPerTick;

    /// <summary>The current time of <paramref name="scheduler"/> in nanoseconds.</summary>
    public static long Nanoseconds(Actors.IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        return Nanoseconds(scheduler.Now);
    }

    /// <summary>A point <paramref name="ns"/> nanoseconds from the clock's start, rounded down to a tick.</summary>
    public static TimeSpan At(long ns) => TimeSpan.FromTicks(ns / NanosecondsPerTick);

    /// <summary>A delay of <paramref name="ns"/> nanoseconds: rounded up to whole ticks, and at least one tick.</summary>
    public static TimeSpan Delay(long ns) => TimeSpan.FromTicks(Math.Max(1, (ns + NanosecondsPerTick - 1) / NanosecondsPerTick));
}
