namespace ActorVisor.Host.Faults;

/// <summary>
/// A restart budget counted in virtual time: at most <c>max</c> restarts within any window of
/// <c>windowNs</c>; each restart waits a backoff that doubles with the restarts still in the window
/// (<see cref="FirstBackoffNs"/>, 2×, 4×, ... up to <see cref="MaxBackoffNs"/>).
/// </summary>
public sealed class RestartWindow(int max, long windowNs)
{
    /// <summary>The wait before a first restart: 1 ms of virtual time, short against a front-end's request timeout (our SDK's is 2 s).</summary>
    public const long FirstBackoffNs = 1_000_000;

    /// <summary>The longest wait before a restart: 64 ms of virtual time.</summary>
    public const long MaxBackoffNs = 64_000_000;

    private readonly Queue<long> _restarts = new();

    /// <summary>Restarts within the window ending now.</summary>
    public int Recent => _restarts.Count;

    /// <summary>Asks for a restart at <paramref name="nowNs"/>: its backoff, or null when the budget is spent (the restart is then not counted).</summary>
    public long? TryRestart(long nowNs)
    {
        while (_restarts.Count > 0 && nowNs - _restarts.Peek() >= windowNs)
        {
            _restarts.Dequeue();
        }

        if (_restarts.Count >= max)
        {
            return null;
        }

        long backoff = Math.Min(MaxBackoffNs, FirstBackoffNs << Math.Min(_restarts.Count, 16));
        _restarts.Enqueue(nowNs);
        return backoff;
    }
}
