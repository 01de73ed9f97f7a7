namespace ActorVisor.Devices.Faults;

/// <summary>The answer of an <see cref="IFaultSite"/> at one <see cref="FaultPoint"/>: what to do, for how long, and which rule of the plan asked for it.</summary>
/// <param name="Effect">What happens.</param>
/// <param name="DelayNs">For <see cref="FaultEffect.Delay"/>: virtual nanoseconds to hold back.</param>
/// <param name="Rule">The plan's name for the rule that fired (for the timeline), or null when nothing fired.</param>
public readonly record struct FaultDecision(FaultEffect Effect, long DelayNs = 0, string? Rule = null)
{
    public static FaultDecision None => default;

    public bool IsNone => Effect == FaultEffect.None;
}
