namespace ActorVisor.Actors;

/// <summary>
/// Supervises one child and starts it again after an exponentially growing, jittered delay, so a
/// child that keeps failing (a driver domain whose device is gone) does not spin. Messages sent
/// to the supervisor are forwarded to the child; while there is no child they go to dead letters.
/// </summary>
public sealed class BackoffSupervisor : ActorBase
{
    private readonly BackoffOptions _options;
    private IActorRef? _child;
    private int _restartCount;
    private bool _childFailed;

    private BackoffSupervisor(BackoffOptions options) => _options = options;

    /// <summary>Gets the props of a backoff supervisor.</summary>
    public static Props Props(BackoffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return global::ActorVisor.Actors.Props.Create(() => new BackoffSupervisor(options));
    }

    /// <summary>The delay before restart number <paramref name="restartCount"/> (from 0), for a random draw <paramref name="random"/> in [0, 1).</summary>
    public static TimeSpan CalculateDelay(int restartCount, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor, double random)
    {
        var exponential = minBackoff.Ticks * Math.Pow(2, Math.Min(restartCount, 62));
        var capped = Math.Min(maxBackoff.Ticks, exponential);
        return TimeSpan.FromTicks((long)(capped * (1.0 + random * randomFactor)));
    }

    protected override void PreStart() => StartChild();

    protected override SupervisorStrategy SupervisorStrategy()
        => _options.Mode == BackoffMode.OnFailure
            ? new OneForOneStrategy(_ =>
            {
                _childFailed = true;
                return Directive.Stop;
            })
            : global::ActorVisor.Actors.SupervisorStrategy.DefaultStrategy;

    protected internal override bool Receive(object message)
    {
        switch (message)
        {
            case Terminated terminated when ReferenceEquals(terminated.ActorRef, _child):
                _child = null;
                if (_options.Mode == BackoffMode.OnFailure && !_childFailed)
                {
                    Context.Stop(Self);
                    return true;
                }
                _childFailed = false;
                var delay = CalculateDelay(_restartCount, _options.MinBackoff, _options.MaxBackoff, _options.RandomFactor, Context.System.NextRandomDouble());
                _restartCount++;
                Context.System.Scheduler.ScheduleTellOnce(delay, Self, StartChildCommand.Instance, Self);
                return true;
            case StartChildCommand:
                StartChild();
                return true;
            case ResetRestartCount reset:
                if (reset.Count == _restartCount)
                {
                    _restartCount = 0;
                }
                return true;
            case GetCurrentChild:
                Sender.Tell(new CurrentChild(_child), Self);
                return true;
            case GetRestartCount:
                Sender.Tell(new RestartCount(_restartCount), Self);
                return true;
            default:
                if (_child is not null)
                {
                    _child.Tell(message, Sender);
                }
                else
                {
                    Context.System.DeadLetters.Tell(new DeadLetter(message, Sender, Self), Sender);
                }
                return true;
        }
    }

    private void StartChild()
    {
        if (_child is not null)
        {
            return;
        }
        _child = Context.Watch(Context.ActorOf(_options.ChildProps, _options.ChildName));
        Context.System.Scheduler.ScheduleTellOnce(_options.ResetAfter ?? _options.MinBackoff, Self, new ResetRestartCount(_restartCount), Self);
    }

    /// <summary>Asks for the current child; the answer is <see cref="CurrentChild"/>.</summary>
    public sealed record GetCurrentChild
    {
        public static GetCurrentChild Instance { get; } = new();
    }

    /// <summary>The current child, or null while waiting to restart it.</summary>
    public sealed record CurrentChild(IActorRef? Ref);

    /// <summary>Asks for the restart count; the answer is <see cref="RestartCount"/>.</summary>
    public sealed record GetRestartCount
    {
        public static GetRestartCount Instance { get; } = new();
    }

    /// <summary>How many restarts are counted towards the next delay.</summary>
    public sealed record RestartCount(int Count);

    private sealed record StartChildCommand
    {
        public static StartChildCommand Instance { get; } = new();
    }

    private sealed record ResetRestartCount(int Count);
}
