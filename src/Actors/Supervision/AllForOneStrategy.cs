namespace ActorVisor.Actors;

/// <summary>Applies the directive to every child of the supervisor (for children that only make sense together, like a domain's vCPUs).</summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    /// <summary>A strategy allowing <paramref name="maxNrOfRetries"/> restarts (-1: unlimited) per child within <paramref name="withinTimeRange"/> (null: ever).</summary>
    public AllForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider)
    {
    }

    /// <summary>A strategy with unlimited restarts.</summary>
    public AllForOneStrategy(Func<Exception, Directive> decider)
        : base(-1, null, decider)
    {
    }

    internal override void ProcessFailure(ActorCell cell, bool restart, ChildRestartStats failed, Exception cause, IReadOnlyList<ChildRestartStats> children)
    {
        if (children.Count == 0)
        {
            return;
        }
        var now = cell.System.Scheduler.Now;
        var permitted = restart && children.All(c => c.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, now));
        foreach (var child in children)
        {
            if (permitted)
            {
                cell.RestartChild(child.Child, cause);
            }
            else
            {
                cell.StopChild(child.Child);
            }
        }
    }
}
