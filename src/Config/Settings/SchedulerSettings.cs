namespace ActorVisor.Config.Settings;

public enum SchedulerKind
{
    RoundRobin,
    Credit,
    Bvt,
}

/// <summary>actorvisor.scheduler.credit: the credit scheduler's defaults.</summary>
public sealed record CreditSettings(int DefaultWeight, int DefaultCapPercent, long AccountingPeriodNs);

/// <summary>actorvisor.scheduler.bvt: borrowed-virtual-time parameters.</summary>
public sealed record BvtSettings(long ContextSwitchAllowanceNs, long DefaultWarpNs);

/// <summary>actorvisor.scheduler: the policy and its parameters.</summary>
public sealed record SchedulerSettings(SchedulerKind Kind, long TimesliceNs, CreditSettings Credit, BvtSettings Bvt);
