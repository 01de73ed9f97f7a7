namespace ActorVisor.Actors;

/// <summary>
/// The base of every actor. Instances are made only by the kernel from <see cref="Props"/>; the
/// lifecycle hooks run in Akka's order: PreStart on start; on restart PreRestart on the old
/// instance (by default it stops the children and calls PostStop), then PostRestart on the new
/// one (by default it calls PreStart); PostStop when stopped.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.Current ?? throw new InvalidOperationException($"{GetType().Name} must be created by ActorOf(Props), not with new.");
        _cell.OnActorConstructing(this);
    }

    /// <summary>Gets the context of this actor.</summary>
    protected IActorContext Context => _cell;

    protected IActorRef Self => _cell.Self;

    /// <summary>Gets the sender of the message being processed (dead letters if none).</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>Handles a message; returns false to mark it unhandled.</summary>
    protected internal abstract bool Receive(object message);

    protected virtual void PreStart()
    {
    }

    protected virtual void PostStop()
    {
    }

    /// <summary>Runs on the failed instance; by default unwatches and stops all children, then calls PostStop.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }
        PostStop();
    }

    /// <summary>Runs on the fresh instance after a restart; by default calls PreStart.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>The strategy this actor applies to its failing children; Akka's default unless overridden.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => global::ActorVisor.Actors.SupervisorStrategy.DefaultStrategy;

    /// <summary>Called for messages no behaviour handled: an unwatched-for Terminated kills the actor, others are published.</summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated)
        {
            throw new DeathPactException($"{Self.Path.ToStringWithoutAddress()} did not handle Terminated of watched {terminated.ActorRef.Path.ToStringWithoutAddress()}.");
        }
        _cell.System.EventStream.Publish(new UnhandledMessage(message, _cell.CurrentSender, Self));
    }

    internal void CallPreStart() => PreStart();

    internal void CallPostStop() => PostStop();

    internal void CallPreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void CallPostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy CallSupervisorStrategy() => SupervisorStrategy();

    internal void CallUnhandled(object message) => Unhandled(message);
}
