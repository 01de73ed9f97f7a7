namespace ActorVisor.Actors;

/// <summary>
/// Failure handling. A failing actor suspends itself and its children and reports
/// <see cref="Failed"/> to its parent; the parent's strategy answers with Resume, Restart, Stop,
/// or escalates by failing itself with the same exception.
/// </summary>
internal sealed partial class ActorCell
{
    private object? _failedMessage;
    private SupervisorStrategy? _strategy;

    private SupervisorStrategy Strategy
        => _strategy ??= Props.SupervisorStrategy ?? _actor?.CallSupervisorStrategy() ?? SupervisorStrategy.DefaultStrategy;

    public void HandleInvokeFailure(Exception cause, object? message) => Fail(cause, message, MessageTypeName(message));

    private void Fail(Exception cause, object? message, string messageType)
    {
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            Log(LogLevel.Error, cause, $"failed while stopping, processing {messageType}");
            return;
        }
        _failedMessage = message;
        Mailbox.Suspend();
        SendToChildren(new Suspend());
        if (ParentCell is null)
        {
            Log(LogLevel.Error, cause, $"the root guardian failed processing {messageType}; stopping the system");
            Self.SendSystemMessage(new Terminate());
            return;
        }
        ParentCell.Self.SendSystemMessage(new Failed(Self, cause, messageType));
    }

    /// <summary>Restarts <paramref name="child"/>; used by strategies.</summary>
    public void RestartChild(IInternalActorRef child, Exception cause) => child.SendSystemMessage(new Recreate(cause));

    /// <summary>Resumes <paramref name="child"/>; used by strategies.</summary>
    public void ResumeChild(IInternalActorRef child, Exception cause) => child.SendSystemMessage(new Resume(cause));

    /// <summary>Stops <paramref name="child"/>; used by strategies.</summary>
    public void StopChild(IActorRef child) => Stop(child);

    public void LogFailure(IActorRef child, Exception cause, Directive directive, string messageType)
    {
        var level = directive == Directive.Resume ? LogLevel.Warning : LogLevel.Error;
        if (level < System.Options.MinimumLogLevel)
        {
            return;
        }
        var text = $"failed while processing a message of type {messageType}; supervisor {Path.ToStringWithoutAddress()} decided {directive}";
        System.EventStream.Publish(new LogEvent(level, System.Scheduler.Now, child.Path.ToStringWithoutAddress(), text, cause));
    }

    private static string MessageTypeName(object? message) => message?.GetType().Name ?? "(system message)";

    private void HandleFailed(Failed failed)
    {
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            return;
        }
        var stats = ChildStats(failed.Child);
        if (stats is null || IsStopping(failed.Child))
        {
            return;
        }
        if (!Strategy.HandleFailure(this, stats, failed.Cause, ChildrenStats(), failed.MessageType))
        {
            // Escalate: this actor fails with the child's exception, keeping the child's message type in the report.
            Fail(failed.Cause, null, failed.MessageType);
        }
    }
}
