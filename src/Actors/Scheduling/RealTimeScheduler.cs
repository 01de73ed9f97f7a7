using System.Diagnostics;

namespace ActorVisor.Actors;

/// <summary>
/// Wall-clock scheduler for the thread-pool and pinned dispatchers. Each scheduled action is a
/// <see cref="Timer"/>, whose add and remove are constant time, so short-lived Ask timeouts stay cheap.
/// </summary>
internal sealed class RealTimeScheduler : IScheduler
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);

    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
        => new TimerCancelable(action, Clamp(delay), Timeout.InfiniteTimeSpan);

    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action)
        => new TimerCancelable(action, Clamp(initialDelay), interval <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : interval);

    private static TimeSpan Clamp(TimeSpan delay) => delay < TimeSpan.Zero ? TimeSpan.Zero : delay;

    private sealed class TimerCancelable : ICancelable
    {
        private readonly Timer _timer;
        private readonly Action _action;
        private readonly bool _once;
        private int _cancelled;

        public TimerCancelable(Action action, TimeSpan due, TimeSpan period)
        {
            _action = action;
            _once = period == Timeout.InfiniteTimeSpan;
            _timer = new Timer(static s => ((TimerCancelable)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(due, period);
        }

        public bool IsCancellationRequested => Volatile.Read(ref _cancelled) != 0;

        public void Cancel()
        {
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                _timer.Dispose();
            }
        }

        private void Fire()
        {
            if (IsCancellationRequested)
            {
                return;
            }
            if (_once)
            {
                Cancel();
            }
            _action();
        }
    }
}
