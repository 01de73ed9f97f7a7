namespace ActorVisor.Actors;

/// <summary>
/// A short-lived reference that completes a task with the first reply it gets. A
/// <see cref="Status.Failure"/> reply fails the task with its cause; a reply of the wrong type fails
/// it with <see cref="InvalidCastException"/>; late replies go to dead letters.
/// </summary>
internal sealed class PromiseActorRef<T> : IInternalActorRef
{
    private readonly ActorSystem _system;
    private readonly TaskCompletionSource<T> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorPath? _path;

    public PromiseActorRef(ActorSystem system) => _system = system;

    public ActorPath Path => _path ??= _system.NewTempPath();

    public Task<T> Task => _promise.Task;

    public ICancelable? Timeout { get; set; }

    public bool IsTerminated => _promise.Task.IsCompleted;

    public void Tell(object message, IActorRef? sender)
    {
        bool completed;
        switch (message)
        {
            case T value:
                completed = _promise.TrySetResult(value);
                break;
            case Status.Failure failure:
                completed = _promise.TrySetException(failure.Cause);
                break;
            default:
                completed = _promise.TrySetException(new InvalidCastException($"Ask expected a reply of type {typeof(T).Name} but got {message.GetType().Name}."));
                break;
        }
        if (completed)
        {
            Timeout?.Cancel();
        }
        else
        {
            _system.DeadLetterFrom(message, sender, this);
        }
    }

    public void SendSystemMessage(SystemMessage message)
    {
    }

    public bool TryFail(Exception exception) => _promise.TrySetException(exception);
}
