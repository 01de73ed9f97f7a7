using ActorVisor.Scheduler;

namespace ActorVisor.Scheduler.Tests;

/// <summary>How a simulated vCPU behaves: it computes for RunNs, then blocks for SleepNs, forever.</summary>
public sealed record Workload(long RunNs, long SleepNs)
{
    /// <summary>A vCPU that never blocks.</summary>
    public static Workload CpuBound { get; } = new(long.MaxValue, 0);
}

/// <summary>
/// Drives a policy over virtual time the way the host's physical CPUs will: each physical CPU
/// asks for a decision, runs the vCPU for its slice or until the workload blocks, and reports
/// back. Wake-ups happen at exact virtual times. Everything is deterministic.
/// </summary>
public sealed class Simulation(ISchedulerPolicy policy, int physicalCpus)
{
    private readonly Dictionary<VcpuKey, Workload> _workloads = [];
    private readonly Dictionary<VcpuKey, long> _burstLeft = [];
    private readonly SortedSet<(long At, int Seq, VcpuKey Vcpu)> _wakeups = [];
    private readonly (VcpuKey? Vcpu, long Started, long Until)[] _cpus = new (VcpuKey?, long, long)[physicalCpus];
    private int _seq;

    public long NowNs { get; private set; }

    /// <summary>How many running slices a wake-up cut short.</summary>
    public int Preemptions { get; private set; }

    /// <summary>Every wait from becoming runnable to being picked, per vCPU.</summary>
    public Dictionary<VcpuKey, List<long>> WakeLatencies { get; } = [];

    private readonly Dictionary<VcpuKey, long> _wokenAt = [];

    public void Add(VcpuKey vcpu, Workload workload, SchedulingParameters? parameters = null)
    {
        policy.Add(vcpu, parameters ?? new SchedulingParameters());
        _workloads[vcpu] = workload;
        _burstLeft[vcpu] = workload.RunNs;
        WakeLatencies[vcpu] = [];
        WakeNow(vcpu);
    }

    public void RunUntil(long endNs)
    {
        while (NowNs < endNs)
        {
            for (var cpu = 0; cpu < _cpus.Length; cpu++)
            {
                if (_cpus[cpu].Vcpu is null || _cpus[cpu].Until <= NowNs)
                {
                    FinishAndPick(cpu);
                }
            }
            var next = endNs;
            foreach (var c in _cpus)
            {
                if (c.Vcpu is not null)
                {
                    next = Math.Min(next, c.Until);
                }
            }
            if (_wakeups.Count > 0)
            {
                next = Math.Min(next, _wakeups.Min.At);
            }
            if (policy.NextEventNs(NowNs) is { } policyEvent && policyEvent > NowNs)
            {
                next = Math.Min(next, policyEvent);
            }
            NowNs = Math.Max(next, NowNs + 1);
            while (_wakeups.Count > 0 && _wakeups.Min.At <= NowNs)
            {
                var w = _wakeups.Min;
                _wakeups.Remove(w);
                WakeNow(w.Vcpu);
            }
        }
        // Account the slices still in progress so that shares are exact at endNs.
        for (var cpu = 0; cpu < _cpus.Length; cpu++)
        {
            if (_cpus[cpu].Vcpu is { } vcpu)
            {
                var ran = NowNs - _cpus[cpu].Started;
                _burstLeft[vcpu] -= ran;
                policy.SliceFinished(vcpu, ran, SliceEnd.Preempted, NowNs);
                _cpus[cpu] = (null, 0, 0);
            }
        }
    }

    /// <summary>The share of one physical CPU that a vCPU received so far.</summary>
    public double ShareOf(VcpuKey vcpu) => (double)policy.ConsumedNs(vcpu) / NowNs;

    private void WakeNow(VcpuKey vcpu)
    {
        _wokenAt[vcpu] = NowNs;
        if (policy.Wake(vcpu, NowNs) is { } preempt && _cpus[preempt].Vcpu is not null)
        {
            // End the victim's slice now; the run loop picks again for that CPU.
            _cpus[preempt].Until = NowNs;
            Preemptions++;
        }
    }

    private void FinishAndPick(int cpu)
    {
        var (running, started, until) = _cpus[cpu];
        if (running is { } vcpu)
        {
            var ran = Math.Min(until, NowNs) - started;
            _burstLeft[vcpu] -= ran;
            var blocks = _burstLeft[vcpu] <= 0 && _workloads[vcpu].SleepNs > 0;
            policy.SliceFinished(vcpu, ran, blocks ? SliceEnd.Blocked : SliceEnd.Preempted, NowNs);
            if (blocks)
            {
                _burstLeft[vcpu] = _workloads[vcpu].RunNs;
                _wakeups.Add((NowNs + _workloads[vcpu].SleepNs, _seq++, vcpu));
            }
            _cpus[cpu] = (null, 0, 0);
        }
        var decision = policy.PickNext(cpu, NowNs);
        if (decision.Vcpu is { } picked)
        {
            if (_wokenAt.Remove(picked, out var since))
            {
                WakeLatencies[picked].Add(NowNs - since);
            }
            var run = Math.Min(decision.SliceNs, _burstLeft[picked]);
            _cpus[cpu] = (picked, NowNs, NowNs + run);
        }
    }
}
