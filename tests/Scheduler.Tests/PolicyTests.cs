using ActorVisor.Scheduler;
using Xunit;

namespace ActorVisor.Scheduler.Tests;

public sealed class RoundRobinPolicyTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public void Cpu_bound_vcpus_share_one_cpu_equally_in_fixed_slices()
    {
        var sim = new Simulation(new RoundRobinPolicy(10 * Ms), physicalCpus: 1);
        var a = new VcpuKey(1, 0);
        var b = new VcpuKey(2, 0);
        sim.Add(a, Workload.CpuBound);
        sim.Add(b, Workload.CpuBound, new SchedulingParameters(Weight: 1024));
        sim.RunUntil(1000 * Ms);
        Assert.Equal(0.5, sim.ShareOf(a), precision: 2);
        Assert.Equal(0.5, sim.ShareOf(b), precision: 2);
    }

    [Fact]
    public void A_blocked_vcpu_is_never_picked_and_a_woken_one_joins_the_back_of_the_queue()
    {
        var policy = new RoundRobinPolicy(10 * Ms);
        var a = new VcpuKey(1, 0);
        var b = new VcpuKey(2, 0);
        policy.Add(a, new SchedulingParameters());
        policy.Add(b, new SchedulingParameters());
        Assert.True(policy.PickNext(0, 0).IsIdle);

        policy.Wake(a, 0);
        Assert.Equal(a, policy.PickNext(0, 0).Vcpu);
        policy.Wake(b, 1);
        policy.SliceFinished(a, 10 * Ms, SliceEnd.Preempted, 10 * Ms);
        Assert.Equal(b, policy.PickNext(0, 10 * Ms).Vcpu);
        policy.SliceFinished(b, 2 * Ms, SliceEnd.Blocked, 12 * Ms);
        Assert.Equal(a, policy.PickNext(0, 12 * Ms).Vcpu);
        Assert.True(policy.PickNext(1, 12 * Ms).IsIdle);
        Assert.Equal(VcpuState.Blocked, policy.StateOf(b));
    }

    [Fact]
    public void Finishing_a_slice_that_was_never_handed_out_is_a_host_bug()
    {
        var policy = new RoundRobinPolicy(10 * Ms);
        var a = new VcpuKey(1, 0);
        policy.Add(a, new SchedulingParameters());
        policy.Wake(a, 0);
        Assert.Throws<InvalidOperationException>(() => policy.SliceFinished(a, 1, SliceEnd.Preempted, 1));
    }

    [Fact]
    public void Removing_a_runnable_vcpu_takes_it_off_the_queue()
    {
        var policy = new RoundRobinPolicy(10 * Ms);
        var a = new VcpuKey(1, 0);
        policy.Add(a, new SchedulingParameters());
        policy.Wake(a, 0);
        policy.Remove(a);
        Assert.True(policy.PickNext(0, 0).IsIdle);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(70000, 0)]
    [InlineData(256, -1)]
    public void Unusable_parameters_are_refused_with_a_reason(int weight, int cap)
    {
        var policy = new CreditPolicy(1, 30 * Ms, 30 * Ms);
        var error = Assert.Throws<ArgumentException>(() => policy.Add(new VcpuKey(1, 0), new SchedulingParameters(weight, cap)));
        Assert.Contains("credit:", error.Message, StringComparison.Ordinal);
    }
}

public sealed class CreditPolicyTests
{
    private const long Ms = 1_000_000;

    private static CreditPolicy NewPolicy(int cpus = 1) => new(cpus, timesliceNs: 10 * Ms, accountingPeriodNs: 30 * Ms);

    [Fact]
    public void Cpu_share_follows_weight()
    {
        var sim = new Simulation(NewPolicy(), physicalCpus: 1);
        var heavy = new VcpuKey(1, 0);
        var light = new VcpuKey(2, 0);
        sim.Add(heavy, Workload.CpuBound, new SchedulingParameters(Weight: 512));
        sim.Add(light, Workload.CpuBound, new SchedulingParameters(Weight: 256));
        sim.RunUntil(3000 * Ms);
        Assert.InRange(sim.ShareOf(heavy), 0.62, 0.71);
        Assert.InRange(sim.ShareOf(light), 0.29, 0.38);
        Assert.InRange(sim.ShareOf(heavy) + sim.ShareOf(light), 0.99, 1.0);
    }

    [Fact]
    public void A_domain_alone_uses_the_whole_cpu_even_when_over_its_credit()
    {
        var sim = new Simulation(NewPolicy(), physicalCpus: 1);
        var only = new VcpuKey(1, 0);
        sim.Add(only, Workload.CpuBound);
        sim.RunUntil(600 * Ms);
        Assert.InRange(sim.ShareOf(only), 0.99, 1.0);
    }

    [Fact]
    public void A_cap_holds_even_when_the_cpu_would_otherwise_idle()
    {
        var sim = new Simulation(NewPolicy(), physicalCpus: 1);
        var capped = new VcpuKey(1, 0);
        sim.Add(capped, Workload.CpuBound, new SchedulingParameters(CapPercent: 25));
        sim.RunUntil(3000 * Ms);
        Assert.InRange(sim.ShareOf(capped), 0.22, 0.28);
    }

    [Fact]
    public void Equal_domains_share_two_physical_cpus_evenly()
    {
        var sim = new Simulation(NewPolicy(cpus: 2), physicalCpus: 2);
        var vcpus = Enumerable.Range(1, 3).Select(d => new VcpuKey(d, 0)).ToList();
        foreach (var v in vcpus)
        {
            sim.Add(v, Workload.CpuBound);
        }
        sim.RunUntil(3000 * Ms);
        foreach (var v in vcpus)
        {
            Assert.InRange(sim.ShareOf(v), 0.60, 0.73);
        }
    }

    [Fact]
    public void A_waking_io_bound_vcpu_is_boosted_ahead_of_cpu_hogs()
    {
        var sim = new Simulation(NewPolicy(), physicalCpus: 1);
        for (var d = 2; d <= 4; d++)
        {
            sim.Add(new VcpuKey(d, 0), Workload.CpuBound);
        }
        // The hogs' own first wake-up is boosted too: let that settle before the I/O vCPU arrives.
        sim.RunUntil(100 * Ms);
        var io = new VcpuKey(1, 0);
        sim.Add(io, new Workload(RunNs: Ms / 10, SleepNs: 5 * Ms));
        // A newcomer holds no credit until the next accounting, so its first wake-ups are not boosted.
        sim.RunUntil(200 * Ms);
        sim.WakeLatencies[io].Clear();
        sim.RunUntil(1000 * Ms);
        var latencies = sim.WakeLatencies[io];
        Assert.True(sim.Preemptions > 20, $"only {sim.Preemptions} preemptions");
        Assert.True(latencies.Count > 20, $"only {latencies.Count} wake-ups were observed");
        // Boost preempts the running hog: the I/O vCPU runs the moment it wakes.
        Assert.True(latencies.Max() == 0, $"worst wake-up latency {latencies.Max() / 1e6} ms");
    }

    [Fact]
    public void Round_robin_without_boost_makes_the_same_io_bound_vcpu_wait_for_every_hog()
    {
        var sim = new Simulation(new RoundRobinPolicy(10 * Ms), physicalCpus: 1);
        var io = new VcpuKey(1, 0);
        sim.Add(io, new Workload(RunNs: Ms / 10, SleepNs: 5 * Ms));
        for (var d = 2; d <= 4; d++)
        {
            sim.Add(new VcpuKey(d, 0), Workload.CpuBound);
        }
        sim.RunUntil(1000 * Ms);
        Assert.Equal(0, sim.Preemptions);
        Assert.True(sim.WakeLatencies[io].Skip(1).Average() > 15 * Ms);
    }

    [Fact]
    public void Sleeping_builds_up_no_more_than_one_period_of_credit()
    {
        var policy = NewPolicy();
        var a = new VcpuKey(1, 0);
        var b = new VcpuKey(2, 0);
        policy.Add(a, new SchedulingParameters());
        policy.Add(b, new SchedulingParameters());
        policy.Wake(a, 0);
        policy.Wake(b, 0);
        var t = 0L;
        for (var i = 0; i < 100; i++)
        {
            var d = policy.PickNext(0, t);
            t += d.SliceNs;
            policy.SliceFinished(d.Vcpu!.Value, d.SliceNs, d.Vcpu == b ? SliceEnd.Blocked : SliceEnd.Preempted, t);
        }
        Assert.InRange(policy.CreditOf(b), -30 * Ms, 30 * Ms);
        Assert.InRange(policy.CreditOf(a), -30 * Ms, 30 * Ms);
    }
}

public sealed class BvtPolicyTests
{
    private const long Ms = 1_000_000;

    private static BvtPolicy NewPolicy() => new(maxSliceNs: 10 * Ms, contextSwitchAllowanceNs: 2 * Ms);

    [Fact]
    public void Cpu_share_follows_weight()
    {
        var sim = new Simulation(NewPolicy(), physicalCpus: 1);
        var heavy = new VcpuKey(1, 0);
        var light = new VcpuKey(2, 0);
        sim.Add(heavy, Workload.CpuBound, new SchedulingParameters(Weight: 768));
        sim.Add(light, Workload.CpuBound, new SchedulingParameters(Weight: 256));
        sim.RunUntil(2000 * Ms);
        Assert.InRange(sim.ShareOf(heavy), 0.73, 0.77);
        Assert.InRange(sim.ShareOf(light), 0.23, 0.27);
    }

    [Fact]
    public void A_long_sleeper_does_not_monopolise_the_cpu_when_it_wakes()
    {
        var policy = NewPolicy();
        var runner = new VcpuKey(1, 0);
        var sleeper = new VcpuKey(2, 0);
        policy.Add(runner, new SchedulingParameters());
        policy.Add(sleeper, new SchedulingParameters());
        policy.Wake(runner, 0);
        var t = 0L;
        for (var i = 0; i < 100; i++)
        {
            var d = policy.PickNext(0, t);
            t += d.SliceNs;
            policy.SliceFinished(runner, d.SliceNs, SliceEnd.Preempted, t);
        }
        policy.Wake(sleeper, t);
        Assert.True(policy.ActualVirtualTimeOf(sleeper) >= policy.ActualVirtualTimeOf(runner) - 10 * Ms);
        var sleeperRan = 0L;
        var start = t;
        for (var i = 0; i < 40; i++)
        {
            var d = policy.PickNext(0, t);
            t += d.SliceNs;
            sleeperRan += d.Vcpu == sleeper ? d.SliceNs : 0;
            policy.SliceFinished(d.Vcpu!.Value, d.SliceNs, SliceEnd.Preempted, t);
        }
        // After waking, the sleeper gets its fair half, not the hundreds of milliseconds it slept through.
        Assert.InRange((double)sleeperRan / (t - start), 0.4, 0.6);
    }

    [Fact]
    public void A_warped_domain_is_picked_ahead_of_its_fair_turn_on_wake()
    {
        var warpedSim = new Simulation(NewPolicy(), physicalCpus: 1);
        var plainSim = new Simulation(NewPolicy(), physicalCpus: 1);
        var latency = new VcpuKey(1, 0);
        warpedSim.Add(latency, new Workload(Ms / 2, 7 * Ms), new SchedulingParameters(WarpNs: 50 * Ms));
        plainSim.Add(latency, new Workload(Ms / 2, 7 * Ms));
        for (var d = 2; d <= 4; d++)
        {
            warpedSim.Add(new VcpuKey(d, 0), Workload.CpuBound);
            plainSim.Add(new VcpuKey(d, 0), Workload.CpuBound);
        }
        warpedSim.RunUntil(1000 * Ms);
        plainSim.RunUntil(1000 * Ms);
        var warped = warpedSim.WakeLatencies[latency].Skip(1).Average();
        var plain = plainSim.WakeLatencies[latency].Skip(1).Average();
        Assert.True(warped < plain / 2, $"warped mean latency {warped / 1e6} ms, unwarped {plain / 1e6} ms");
    }
}

public sealed class SchedulerSettingsTests
{
    [Theory]
    [InlineData("round-robin", typeof(RoundRobinPolicy))]
    [InlineData("credit", typeof(CreditPolicy))]
    [InlineData("bvt", typeof(BvtPolicy))]
    public void Each_configured_kind_builds_its_policy(string kind, Type expected)
    {
        var policy = new SchedulerSettings(kind, 2, 10_000_000, 30_000_000, 5_000_000).TryCreate(out var error);
        Assert.Null(error);
        Assert.IsType(expected, policy);
        Assert.Equal(kind, policy!.Name);
    }

    [Fact]
    public void An_unknown_kind_is_an_error_that_lists_the_known_ones()
    {
        var policy = new SchedulerSettings("fifo", 2, 10_000_000, 30_000_000, 5_000_000).TryCreate(out var error);
        Assert.Null(policy);
        Assert.Contains("round-robin, credit, bvt", error, StringComparison.Ordinal);
    }
}
