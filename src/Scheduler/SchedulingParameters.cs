namespace ActorVisor.Scheduler;

/// <summary>
/// What a domain asks of the scheduler. Weight is a relative share among runnable domains;
/// CapPercent limits a domain to that percentage of one physical CPU (0 means no cap);
/// WarpNs lets a latency-sensitive domain borrow virtual time under BVT.
/// </summary>
public readonly record struct SchedulingParameters(int Weight = 256, int CapPercent = 0, long WarpNs = 0)
{
    /// <summary>Xen's default weight for a new domain.</summary>
    public const int DefaultWeight = 256;

    /// <summary>The defaults: weight 256, no cap, no warp.</summary>
    public SchedulingParameters()
        : this(DefaultWeight)
    {
    }

    /// <summary>Checks that the parameters are usable; returns a reason when they are not.</summary>
    public string? Validate()
    {
        if (Weight is < 1 or > 65535)
        {
            return $"weight must be between 1 and 65535, got {Weight}";
        }
        if (CapPercent < 0)
        {
            return $"cap must be 0 (none) or a positive percentage, got {CapPercent}";
        }
        return WarpNs < 0 ? $"warp must not be negative, got {WarpNs} ns" : null;
    }
}
