namespace ActorVisor.Actors;

/// <summary>
/// DeathWatch. A watcher remembers whom it watches; a watchee remembers its watchers and tells
/// each of them once when it stops. A Terminated already queued is dropped if the watcher
/// unwatched in the meantime, so Unwatch really means no more Terminated.
/// </summary>
internal sealed partial class ActorCell
{
    // Both sets are allocated on first use: most actors neither watch nor are watched.
    private HashSet<IActorRef>? _watching;
    private HashSet<IInternalActorRef>? _watchedBy;

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject is IInternalActorRef target && !ReferenceEquals(subject, Self) && (_watching ??= new(ReferenceEqualityComparer.Instance)).Add(subject))
        {
            target.SendSystemMessage(new Watch(target, Self));
        }
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject is IInternalActorRef target && _watching?.Remove(subject) == true)
        {
            target.SendSystemMessage(new Unwatch(target, Self));
        }
        return subject;
    }

    private void AddWatcher(IInternalActorRef watchee, IInternalActorRef watcher)
    {
        if (ReferenceEquals(watchee, Self) && !ReferenceEquals(watcher, Self))
        {
            (_watchedBy ??= new(ReferenceEqualityComparer.Instance)).Add(watcher);
        }
    }

    private void RemoveWatcher(IInternalActorRef watchee, IInternalActorRef watcher)
    {
        if (ReferenceEquals(watchee, Self))
        {
            _watchedBy?.Remove(watcher);
        }
    }

    private void ReceivedTerminated(Terminated terminated)
    {
        if (_watching?.Remove(terminated.ActorRef) != true)
        {
            return;
        }
        ReceiveUserMessageAfterAutoReceive(terminated);
    }

    private void ReceiveUserMessageAfterAutoReceive(object message)
    {
        if (!_behavior!(message))
        {
            _actor!.CallUnhandled(message);
        }
    }

    private void TellWatchersWeDied()
    {
        if (_watchedBy is null)
        {
            return;
        }
        foreach (var watcher in _watchedBy)
        {
            if (!ReferenceEquals(watcher, ParentCell?.Self))
            {
                watcher.SendSystemMessage(new DeathWatchNotification(Self));
            }
        }
        _watchedBy.Clear();
    }

    private void UnwatchWatchedActors()
    {
        if (_watching is null)
        {
            return;
        }
        foreach (var watched in _watching)
        {
            if (watched is IInternalActorRef target)
            {
                target.SendSystemMessage(new Unwatch(target, Self));
            }
        }
        _watching.Clear();
    }
}
