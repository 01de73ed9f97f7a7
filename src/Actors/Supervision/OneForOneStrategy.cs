namespace ActorVisor.Actors;

/// <summary>Applies the directive to the failed child only.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    /// <summary>A strategy allowing <paramref name="maxNrOfRetries"/> restarts (-1: unlimited) per child within <paramref name="withinTimeRange"/> (null: ever).</summary>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider)
    {
    }

    /// <summary>A strategy with unlimited restarts.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : base(-1, null, decider)
    {
    }

    internal override void ProcessFailure(ActorCell cell, bool restart, ChildRestartStats failed, Exception cause, IReadOnlyList<ChildRestartStats> children)
    {
        if (restart && failed.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, cell.System.Scheduler.Now))
        {
            cell.RestartChild(failed.Child, cause);
        }
        else
        {
            cell.StopChild(failed.Child);
        }
    }
}
