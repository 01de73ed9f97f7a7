namespace ActorVisor.Scheduler;

/// <summary>
/// The scheduler section of the configuration, in nanoseconds: which policy to use and its knobs
/// (reference.conf documents each one).
/// </summary>
public sealed record SchedulerSettings(
    string Kind,
    int PhysicalCpus,
    long TimesliceNs,
    long AccountingPeriodNs,
    long ContextSwitchAllowanceNs)
{
    /// <summary>The policy names configuration accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["round-robin", "credit", "bvt"];

    /// <summary>Builds the configured policy, or returns a reason naming the accepted kinds.</summary>
    public ISchedulerPolicy? TryCreate(out string? error)
    {
        error = null;
        switch (Kind)
        {
            case "round-robin":
                return new RoundRobinPolicy(TimesliceNs);
            case "credit":
                return new CreditPolicy(PhysicalCpus, TimesliceNs, AccountingPeriodNs);
            case "bvt":
                return new BvtPolicy(TimesliceNs, ContextSwitchAllowanceNs);
            default:
                error = $"unknown scheduler kind \"{Kind}\"; expected one of {string.Join(", ", Kinds)}";
                return null;
        }
    }
}
