using System.Diagnostics;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// Where a run's IOPMs leave their load for the summary: the hypervisor adds each IOPM when it
/// starts, the runner reads the figures after the run. Reading needs no message to the actors, so
/// the delivery trace is the same with or without it.
/// </summary>
public sealed class IopmReport
{
    private readonly List<IopmSlot> _slots = [];
    private readonly Lock _lock = new();

    internal void Add(IopmSlot slot)
    {
        lock (_lock)
        {
            _slots.Add(slot);
        }
    }

    /// <summary>Block requests left unanswered when connections ended, by front-end domain id, over every IOPM.</summary>
    public IReadOnlyDictionary<int, long> UnansweredByDomain()
    {
        lock (_lock)
        {
            return _slots.SelectMany(s => s.Context.Load.UnansweredByDomain).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Sum(p => p.Value));
        }
    }

    /// <summary>Every IOPM's figures, in the order they were configured.</summary>
    public IReadOnlyList<IopmInfo> Snapshot()
    {
        lock (_lock)
        {
            return _slots.Select(s => new IopmInfo(
                s.Context.Name,
                s.Context.Id,
                s.Context.Load.Devices,
                s.DevicesServed,
                s.Context.Load.Requests,
                s.Context.Load.Errors,
                s.Context.Load.Bytes,
                s.Context.Load.Services,
                (long)(s.Context.Load.BusyTicks * (1e9 / Stopwatch.Frequency)))
            {
                Restarts = s.Restarts.Iopm,
                BackendRestarts = s.Restarts.ByBackend,
                Replaced = s.Restarts.Replaced,
            }).ToList();
        }
    }
}
