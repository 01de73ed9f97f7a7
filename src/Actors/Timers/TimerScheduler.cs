namespace ActorVisor.Actors;

/// <summary>The per-actor timer table; used only on the actor's own thread.</summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, ActiveTimer> _timers = [];
    private int _generation;

    public void StartSingleTimer(object key, object message, TimeSpan timeout) => Start(key, message, timeout, null);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) => Start(key, message, initialDelay, interval);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var timer))
        {
            timer.Task.Cancel();
        }
    }

    public void CancelAll()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Task.Cancel();
        }
        _timers.Clear();
    }

    /// <summary>Says whether a fired timer message is still wanted; a single timer is forgotten once accepted.</summary>
    public bool Accept(TimerMessage message)
    {
        if (!_timers.TryGetValue(message.Key, out var timer) || timer.Generation != message.Generation)
        {
            return false;
        }
        if (!timer.Periodic)
        {
            _timers.Remove(message.Key);
        }
        return true;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var generation = ++_generation;
        var wrapped = new TimerMessage(key, generation, message);
        var self = cell.Self;
        var scheduler = cell.System.Scheduler;
        var task = interval is { } period
            ? scheduler.ScheduleRepeatedly(delay, period, () => self.Tell(wrapped, null))
            : scheduler.ScheduleOnce(delay, () => self.Tell(wrapped, null));
        _timers[key] = new ActiveTimer(generation, interval is not null, task);
    }

    private sealed record ActiveTimer(int Generation, bool Periodic, ICancelable Task);
}
