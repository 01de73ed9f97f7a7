using Akka.Actor;
using Akka.Actor.Internal;

namespace ActorVisor.Host.Faults;

/// <summary>
/// One-for-one supervision whose restarts wait in virtual time. <see cref="Handle"/> asks the
/// owner (<paramref name="decide"/>) what to do with the failed child, with the child at hand (Akka's
/// plain deciders see only the exception); a restart with a delay above zero leaves the child
/// suspended (its mailbox keeps what arrives meanwhile) and asks <paramref name="later"/> to send the
/// supervisor a <see cref="RestartLater"/> at the end of the delay, which it passes to
/// <see cref="RestartNow"/>. Restart limits are the owner's (counted in virtual time, where Akka's
/// own counters use the host's clock), so Akka's are off.
/// </summary>
public sealed class RestartBackoff : OneForOneStrategy
{
    private readonly Func<IActorRef, Exception, (Directive Directive, long DelayNs)> _decide;
    private readonly Action<RestartLater, long> _later;
    private long _delayNs;

    /// <param name="decide">The directive for a failed child, and for a restart its delay in virtual nanoseconds (0: at once).</param>
    /// <param name="later">Sends the message to the supervisor after the delay (its scheduler, in virtual time).</param>
    public RestartBackoff(Func<IActorRef, Exception, (Directive Directive, long DelayNs)> decide, Action<RestartLater, long> later)
        : base(_ => Directive.Restart, loggingEnabled: false)
    {
        _decide = decide;
        _later = later;
    }

    protected override Directive Handle(IActorRef child, Exception exception)
    {
        var (directive, delayNs) = _decide(child, exception);
        _delayNs = directive == Directive.Restart ? delayNs : 0;
        return directive;
    }

    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
    {
        if (restart && _delayNs > 0)
        {
            long delay = _delayNs;
            _delayNs = 0;
            _later(new RestartLater(child, cause), delay);
            return;
        }

        base.ProcessFailure(context, restart, child, cause, stats, children);
    }

    /// <summary>Restarts a child whose backoff ended (it is still suspended from its failure).</summary>
    public void RestartNow(RestartLater restart)
    {
        ArgumentNullException.ThrowIfNull(restart);
        RestartChild(restart.Child, restart.Cause, suspendFirst: false);
    }
}

/// <summary>A failed child's backoff ended: its supervisor restarts it now.</summary>
public sealed record RestartLater(IActorRef Child, Exception Cause)
{
    /// <summary>The child and the failure's message (the delivery trace has no room for a stack).</summary>
    public override string ToString() => $"RestartLater {{ Child = {Child.Path.Name}, Cause = {Cause.Message} }}";
}
