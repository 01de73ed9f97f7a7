using System.Collections.Concurrent;
using ActorVisor.Devices.Backends;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// One IOPM's load, updated from its threads and read by the placement policy and the summary:
/// the devices it serves (with their back-ends' counters), the guest notifications queued for them
/// and not yet serviced, and the host time its back-ends spent servicing (wall-clock ticks of the
/// IOPM's threads: a host figure, never part of a deterministic trace).
/// </summary>
public sealed class IopmLoad
{
    private readonly ConcurrentDictionary<DeviceKey, Served> _devices = new();
    private readonly ConcurrentDictionary<int, long> _unanswered = new();
    private long _queued;
    private long _busyTicks;
    private long _services;
    private long _servedBefore;
    private long _errorsBefore;
    private long _bytesBefore;

    /// <summary>Devices it serves now.</summary>
    public int Devices => _devices.Count;

    /// <summary>Notifications posted to its device actors and not yet serviced.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Service calls made so far.</summary>
    public long Services => Interlocked.Read(ref _services);

    /// <summary>Host time spent in back-end service calls, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long BusyTicks => Interlocked.Read(ref _busyTicks);

    /// <summary>Requests its back-ends handled, including those of devices it no longer serves.</summary>
    public long Requests => Interlocked.Read(ref _servedBefore) + _devices.Values.Sum(d => d.Counters.Requests - d.Requests);

    /// <summary>Requests refused because of what front-ends put on the rings.</summary>
    public long Errors => Interlocked.Read(ref _errorsBefore) + _devices.Values.Sum(d => d.Counters.Errors - d.Errors);

    /// <summary>Bytes moved by its back-ends.</summary>
    public long Bytes => Interlocked.Read(ref _bytesBefore) + _devices.Values.Sum(d => d.Counters.Bytes - d.Bytes);

    /// <summary>A device arrives; only what its back-end does from now on counts here (a moved device brings its counters along).</summary>
    internal void Add(DeviceKey key, DeviceCounters counters) => _devices[key] = new Served(counters, counters.Requests, counters.Errors, counters.Bytes);

    /// <summary>A device leaves (moved or destroyed): what it did so far stays counted here.</summary>
    internal void Remove(DeviceKey key)
    {
        if (_devices.TryRemove(key, out var served))
        {
            Interlocked.Add(ref _servedBefore, served.Counters.Requests - served.Requests);
            Interlocked.Add(ref _errorsBefore, served.Counters.Errors - served.Errors);
            Interlocked.Add(ref _bytesBefore, served.Counters.Bytes - served.Bytes);
        }
    }

    /// <summary>Requests of each front-end domain left unanswered when its devices' connections ended.</summary>
    public IReadOnlyDictionary<int, long> UnansweredByDomain => _unanswered.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>A connection ended with <paramref name="requests"/> of domain <paramref name="frontend"/> unanswered (0 is noted too: the domain had I/O here).</summary>
    internal void LeftUnanswered(int frontend, int requests) => _unanswered.AddOrUpdate(frontend, requests, (_, n) => n + requests);

    internal void Posted() => Interlocked.Increment(ref _queued);

    internal void Serviced(long ticks)
    {
        Interlocked.Decrement(ref _queued);
        Interlocked.Increment(ref _services);
        Interlocked.Add(ref _busyTicks, ticks);
    }

    /// <summary>A device's counters and their values when it arrived.</summary>
    private sealed record Served(DeviceCounters Counters, long Requests, long Errors, long Bytes);
}
