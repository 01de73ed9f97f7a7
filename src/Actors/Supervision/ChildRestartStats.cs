namespace ActorVisor.Actors;

/// <summary>
/// A child and its restart history, for a strategy's retry limit. Akka's rule: with a window, the
/// count restarts when a failure comes after the window opened by the first counted failure has
/// passed; without a window the count only grows; a limit of 0 never allows a restart; a negative
/// limit with a window means 1 per window; a negative limit without a window is unlimited.
/// </summary>
internal sealed class ChildRestartStats(LocalActorRef child)
{
    private int _restartCount;
    private TimeSpan? _windowStart;

    public LocalActorRef Child { get; } = child;

    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan? withinTimeRange, TimeSpan now)
    {
        if (maxNrOfRetries == 0)
        {
            return false;
        }
        var window = withinTimeRange is { } w && w > TimeSpan.Zero && w != Timeout.InfiniteTimeSpan ? w : (TimeSpan?)null;
        if (maxNrOfRetries > 0 && window is null)
        {
            _restartCount++;
            return _restartCount <= maxNrOfRetries;
        }
        if (window is { } span)
        {
            return RetriesInWindowOkay(maxNrOfRetries > 0 ? maxNrOfRetries : 1, span, now);
        }
        return true;
    }

    private bool RetriesInWindowOkay(int retries, TimeSpan window, TimeSpan now)
    {
        _windowStart ??= now;
        _restartCount++;
        if (now - _windowStart.Value <= window)
        {
            return _restartCount <= retries;
        }
        _windowStart = now;
        _restartCount = 1;
        return true;
    }
}
