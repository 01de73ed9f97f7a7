using System.Collections.Concurrent;

namespace ActorVisor.Host.Faults;

/// <summary>
/// How often one IOPM and each of its back-ends were restarted by their supervisors over a run,
/// and whether the IOPM was replaced. Written on the supervisors' threads, read for the summary.
/// </summary>
public sealed class RestartStatistics
{
    private readonly ConcurrentDictionary<string, int> _backends = new(StringComparer.Ordinal);
    private int _iopm;
    private int _replaced;

    /// <summary>Restarts of the IOPM as a whole.</summary>
    public int Iopm => Volatile.Read(ref _iopm);

    /// <summary>Restarts of its back-ends, one by one (those an IOPM restart brought along are not counted here).</summary>
    public int Backends => _backends.Values.Sum();

    /// <summary>True once the IOPM went past its restart limit and its devices were moved to others.</summary>
    public bool Replaced => Volatile.Read(ref _replaced) != 0;

    /// <summary>Restarts of one back-end by its device actor's name (<c>vbd-3-51712</c>).</summary>
    public int Backend(string device) => _backends.GetValueOrDefault(device);

    /// <summary>Each back-end that was restarted, with its count, by name.</summary>
    public IReadOnlyDictionary<string, int> ByBackend => new SortedDictionary<string, int>(_backends, StringComparer.Ordinal);

    internal void IopmRestarted() => Interlocked.Increment(ref _iopm);

    internal void BackendRestarted(string device) => _backends.AddOrUpdate(device, 1, (_, n) => n + 1);

    internal void MarkReplaced() => Volatile.Write(ref _replaced, 1);
}
