namespace ActorVisor.Actors;

/// <summary>
/// Settings of a <see cref="BackoffSupervisor"/>. The n-th restart (from 0) waits
/// <c>min(MaxBackoff, MinBackoff * 2^n) * (1 + r * RandomFactor)</c>, r drawn from the system's
/// seeded random source. The count goes back to 0 once a child has run for
/// <see cref="ResetAfter"/> (by default <see cref="MinBackoff"/>) without stopping.
/// </summary>
public sealed record BackoffOptions(Props ChildProps, string ChildName, TimeSpan MinBackoff, TimeSpan MaxBackoff, double RandomFactor)
{
    public BackoffMode Mode { get; init; } = BackoffMode.OnStop;

    /// <summary>Gets how long a child must run before the restart count resets; null means <see cref="MinBackoff"/>.</summary>
    public TimeSpan? ResetAfter { get; init; }

    /// <summary>Options that restart the child whenever it stops.</summary>
    public static BackoffOptions OnStop(Props childProps, string childName, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor)
        => new(childProps, childName, minBackoff, maxBackoff, randomFactor);

    /// <summary>Options that restart the child only when it fails.</summary>
    public static BackoffOptions OnFailure(Props childProps, string childName, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor)
        => new(childProps, childName, minBackoff, maxBackoff, randomFactor) { Mode = BackoffMode.OnFailure };
}
