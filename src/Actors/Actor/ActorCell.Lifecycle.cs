namespace ActorVisor.Actors;

/// <summary>System-message handling: create, restart, suspend/resume and stop, in Akka's order.</summary>
internal sealed partial class ActorCell
{
    private Exception? _restartCause;

    public void SystemInvoke(SystemMessage message)
    {
        try
        {
            switch (message)
            {
                case Create:
                    HandleCreate();
                    break;
                case Recreate recreate:
                    HandleRecreate(recreate.Cause);
                    break;
                case Suspend:
                    HandleSuspend();
                    break;
                case Resume:
                    HandleResume();
                    break;
                case Terminate:
                    HandleTerminate();
                    break;
                case Failed failed:
                    HandleFailed(failed);
                    break;
                case Watch watch:
                    AddWatcher(watch.Watchee, watch.Watcher);
                    break;
                case Unwatch unwatch:
                    RemoveWatcher(unwatch.Watchee, unwatch.Watcher);
                    break;
                case DeathWatchNotification notification:
                    HandleDeathWatchNotification(notification.Actor);
                    break;
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e, null);
        }
    }

    /// <summary>Handles a system message that reached this cell after its mailbox closed.</summary>
    public void SystemMessageToDeadActor(SystemMessage message)
    {
        if (message is Watch watch && !ReferenceEquals(watch.Watcher, Self))
        {
            watch.Watcher.SendSystemMessage(new DeathWatchNotification(Self));
        }
    }

    private void HandleCreate()
    {
        try
        {
            CreateInstance();
            _actor!.CallPreStart();
        }
        catch (Exception e)
        {
            HandleInvokeFailure(new ActorInitializationException($"{Path.ToStringWithoutAddress()}: exception during creation", e), null);
        }
    }

    private void HandleSuspend()
    {
        Mailbox.Suspend();
        SendToChildren(new Suspend());
    }

    private void HandleResume()
    {
        Mailbox.Resume();
        SendToChildren(new Resume(null));
    }

    private void HandleRecreate(Exception cause)
    {
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            return;
        }
        var failed = _actor;
        _timers?.CancelAll();
        _stash?.UnstashAll();
        if (failed is not null)
        {
            try
            {
                failed.CallPreRestart(cause, _failedMessage);
            }
            catch (Exception e)
            {
                Log(LogLevel.Error, e, "PreRestart threw; continuing the restart");
            }
        }
        _failedMessage = null;
        _restartCause = cause;
        _state = CellState.Restarting;
        if (StoppingChildCount == 0)
        {
            FinishRecreate();
        }
    }

    private void FinishRecreate()
    {
        var cause = _restartCause!;
        _restartCause = null;
        _state = CellState.Normal;
        var survivors = ChildrenStats().Where(c => !IsStopping(c.Child)).Select(c => c.Child).ToList();
        Mailbox.ResumeFully();
        try
        {
            CreateInstance();
            _actor!.CallPostRestart(cause);
        }
        catch (Exception e)
        {
            HandleInvokeFailure(new ActorInitializationException($"{Path.ToStringWithoutAddress()}: exception during restart", e), null);
            return;
        }
        foreach (var survivor in survivors)
        {
            survivor.SendSystemMessage(new Recreate(cause));
        }
    }

    private void HandleTerminate()
    {
        if (_state is CellState.Terminating or CellState.Terminated)
        {
            return;
        }
        _state = CellState.Terminating;
        _timers?.CancelAll();
        Mailbox.Suspend();
        foreach (var child in ChildrenStats())
        {
            StoppingChildren.Add(child.Child);
            child.Child.SendSystemMessage(new Terminate());
        }
        if (ChildCount == 0)
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        try
        {
            _actor?.CallPostStop();
        }
        catch (Exception e)
        {
            Log(LogLevel.Error, e, "PostStop threw");
        }
        _state = CellState.Terminated;
        foreach (var (message, sender) in _stash?.TakeAll() ?? [])
        {
            System.DeadLetterFrom(message, sender, Self);
        }
        foreach (var leftover in Mailbox.Close())
        {
            SystemMessageToDeadActor(leftover);
        }
        TellWatchersWeDied();
        UnwatchWatchedActors();
        ParentCell?.Self.SendSystemMessage(new DeathWatchNotification(Self));
        Mailbox.Dispatcher.Detach(Mailbox);
        _actor = null;
        _behavior = null;
        _behaviorStack = null;
        if (ParentCell is null)
        {
            System.OnRootTerminated();
        }
    }

    private void HandleDeathWatchNotification(IActorRef actor)
    {
        if (RemoveChild(actor))
        {
            if (_state == CellState.Restarting && StoppingChildCount == 0)
            {
                FinishRecreate();
            }
            else if (_state == CellState.Terminating && ChildCount == 0)
            {
                FinishTerminate();
            }
        }
        if (_watching?.Contains(actor) == true && _state is CellState.Normal or CellState.Restarting)
        {
            var terminated = new Terminated(actor);
            if (!Mailbox.Post(terminated, actor))
            {
                System.DeadLetterFrom(terminated, actor, Self);
            }
        }
    }

    private void SendToChildren(SystemMessage message)
    {
        foreach (var child in ChildrenStats())
        {
            child.Child.SendSystemMessage(message);
        }
    }

    private void Log(LogLevel level, Exception? cause, string message)
    {
        if (level >= System.Options.MinimumLogLevel)
        {
            System.EventStream.Publish(new LogEvent(level, System.Scheduler.Now, Path.ToStringWithoutAddress(), message, cause));
        }
    }
}
