namespace ActorVisor.Actors;

/// <summary>
/// How a parent treats failing children: a decider maps the exception to a <see cref="Directive"/>,
/// and the strategy applies it to the failed child alone (<see cref="OneForOneStrategy"/>) or to
/// all children (<see cref="AllForOneStrategy"/>), within a retry budget.
/// </summary>
public abstract class SupervisorStrategy
{
    private protected SupervisorStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Decider = decider;
    }

    /// <summary>Gets Akka's default: stop on initialization errors, Kill and death pacts; restart on anything else, without limit.</summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>Gets a strategy that stops any failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>Gets the most restarts allowed per child within <see cref="WithinTimeRange"/> (-1: no limit).</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>Gets the window the retries are counted in (null: the whole life of the child).</summary>
    public TimeSpan? WithinTimeRange { get; }

    public Func<Exception, Directive> Decider { get; }

    /// <summary>Gets or sets whether failures are logged on the event stream.</summary>
    public bool LoggingEnabled { get; init; } = true;

    /// <summary>Akka's default decider.</summary>
    public static Directive DefaultDecider(Exception exception) => exception switch
    {
        ActorInitializationException => Directive.Stop,
        ActorKilledException => Directive.Stop,
        DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Applies the decision; false means escalate.</summary>
    internal bool HandleFailure(ActorCell cell, ChildRestartStats failed, Exception cause, IReadOnlyList<ChildRestartStats> children, string messageType)
    {
        var directive = Decider(cause);
        if (LoggingEnabled && directive != Directive.Escalate)
        {
            cell.LogFailure(failed.Child, cause, directive, messageType);
        }
        switch (directive)
        {
            case Directive.Resume:
                cell.ResumeChild(failed.Child, cause);
                return true;
            case Directive.Restart:
                ProcessFailure(cell, true, failed, cause, children);
                return true;
            case Directive.Stop:
                ProcessFailure(cell, false, failed, cause, children);
                return true;
            default:
                return false;
        }
    }

    internal abstract void ProcessFailure(ActorCell cell, bool restart, ChildRestartStats failed, Exception cause, IReadOnlyList<ChildRestartStats> children);
}
