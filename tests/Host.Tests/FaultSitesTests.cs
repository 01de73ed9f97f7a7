using ActorVisor.Config;
using ActorVisor.Config.Faults;
using ActorVisor.Devices.Faults;
using ActorVisor.Host.Faults;

namespace ActorVisor.Host.Tests;

/// <summary>The run's fault plan decides from the plan, the seed and each site's calls only, and keeps what the back-ends record.</summary>
public sealed class FaultSitesTests
{
    private static FaultRule Rule(string text, int n = 1) =>
        FaultSpecParser.Parse(text, $"rule {n}", ConfigOrigin.None, null, out var error) ?? throw new InvalidOperationException(error!.ForFlag("--inject", text));

    private static List<FaultEffect> Decisions(FaultSites plan, string iopm, string device, FaultPoint point, int calls)
    {
        var site = plan.For(iopm, device);
        return Enumerable.Range(0, calls).Select(_ => site.At(point).Effect).ToList();
    }

    [Fact]
    public void The_same_seed_gives_the_same_decisions_and_another_seed_others()
    {
        var rules = new[] { Rule("iopm0/vbd-* eio at host-read with probability 0.3") };
        var first = Decisions(new FaultSites(rules, 42, () => 0), "iopm0", "vbd-1-51712", FaultPoint.HostRead, 200);
        var again = Decisions(new FaultSites(rules, 42, () => 0), "iopm0", "vbd-1-51712", FaultPoint.HostRead, 200);
        var other = Decisions(new FaultSites(rules, 43, () => 0), "iopm0", "vbd-1-51712", FaultPoint.HostRead, 200);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.InRange(first.Count(e => e == FaultEffect.IoError), 30, 90);
        Assert.All(first, e => Assert.True(e is FaultEffect.None or FaultEffect.IoError));
    }

    [Fact]
    public void Two_devices_draw_from_their_own_generators_whatever_the_order_of_their_calls()
    {
        var rules = new[] { Rule("iopm0/* crash with probability 0.5") };
        var apart = new FaultSites(rules, 7, () => 0);
        var a = Decisions(apart, "iopm0", "vbd-1-1", FaultPoint.RequestTaken, 50);
        var b = Decisions(apart, "iopm0", "vbd-2-1", FaultPoint.RequestTaken, 50);

        var interleaved = new FaultSites(rules, 7, () => 0);
        var siteA = interleaved.For("iopm0", "vbd-1-1");
        var siteB = interleaved.For("iopm0", "vbd-2-1");
        var a2 = new List<FaultEffect>();
        var b2 = new List<FaultEffect>();
        for (int i = 0; i < 50; i++)
        {
            b2.Add(siteB.At(FaultPoint.RequestTaken).Effect);
            a2.Add(siteA.At(FaultPoint.RequestTaken).Effect);
        }

        Assert.Equal(a, a2);
        Assert.Equal(b, b2);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void After_fires_once_on_the_nth_call_and_every_on_each_nth()
    {
        var plan = new FaultSites([Rule("iopm0/vbd-1 crash after 3 requests", 1), Rule("iopm0/vbd-2 crash every 3 requests", 2)], 1, () => 0);
        var once = Decisions(plan, "iopm0", "vbd-1", FaultPoint.RequestTaken, 9);
        var every = Decisions(plan, "iopm0", "vbd-2", FaultPoint.RequestTaken, 9);
        Assert.Equal([2], once.Select((e, i) => (e, i)).Where(x => x.e == FaultEffect.Crash).Select(x => x.i));
        Assert.Equal([2, 5, 8], every.Select((e, i) => (e, i)).Where(x => x.e == FaultEffect.Crash).Select(x => x.i));
        Assert.All(Decisions(plan, "iopm0", "vbd-1", FaultPoint.AfterData, 5), e => Assert.Equal(FaultEffect.None, e));
    }

    [Fact]
    public void A_rule_armed_at_a_time_ignores_calls_before_it()
    {
        long now = 0;
        var plan = new FaultSites([Rule("iopm0/vbd-1 enospc at host-write at 5ms")], 1, () => now);
        var site = plan.For("iopm0", "vbd-1");
        Assert.True(site.At(FaultPoint.HostWrite).IsNone);
        now = 5_000_000;
        var decision = site.At(FaultPoint.HostWrite);
        Assert.Equal(new FaultDecision(FaultEffect.NoSpace, 0, "rule 1"), decision);
        Assert.True(site.At(FaultPoint.HostWrite).IsNone);
    }

    [Fact]
    public void A_whole_iopm_crash_fired_at_a_device_is_taken_once_by_its_supervisor()
    {
        var plan = new FaultSites([Rule("storage crash after 2")], 1, () => 0);
        var site = plan.For("storage", "vbd-1-51712");
        Assert.True(site.At(FaultPoint.RequestTaken).IsNone);
        Assert.False(plan.TakeIopmCrash("storage"));
        Assert.Equal(FaultEffect.Crash, site.At(FaultPoint.RequestTaken).Effect);
        Assert.True(plan.TakeIopmCrash("storage"));
        Assert.False(plan.TakeIopmCrash("storage"));
        Assert.True(plan.For("other", "vbd-1-51712").At(FaultPoint.RequestTaken).IsNone);
    }

    [Fact]
    public void Recorded_steps_carry_virtual_time_print_as_fault_lines_and_count_restarts()
    {
        long now = 1_500_000;
        var lines = new List<string>();
        var plan = new FaultSites([], 1, () => now, lines.Add);
        plan.For("storage", "vbd-1-51712").Record("restart", "after an injected crash");
        plan.For("storage", "vbd-1-51712").Record("reattach", "ring re-mapped");
        plan.For("storage", "").Record("restart", "IOPM restarted");
        now = 2_000_000;
        plan.For("storage", "vbd-1-51712").Record("restart", "again");
        Assert.Equal(2, plan.Restarts("storage", "vbd-1-51712"));
        Assert.Equal(1, plan.Restarts("storage"));
        Assert.Equal(4, plan.Records.Count);
        Assert.Equal(2_000_000, plan.Records[^1].TimeNs);
        Assert.StartsWith("[fault] ", lines[0], StringComparison.Ordinal);
        Assert.Contains("storage/vbd-1-51712: restart: after an injected crash", lines[0], StringComparison.Ordinal);
        Assert.Contains("storage: restart: IOPM restarted", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void A_strike_is_not_decided_at_sites_and_an_armed_hang_meets_the_next_request()
    {
        var plan = new FaultSites([Rule("storage/vbd-1 hang now")], 1, () => 0);
        Assert.Single(plan.Strikes);
        var site = plan.For("storage", "vbd-1");
        Assert.True(site.At(FaultPoint.RequestTaken).IsNone);
        plan.Arm("storage", "vbd-1", FaultEffect.Hang, "rule 1");
        Assert.Equal(FaultEffect.Hang, site.At(FaultPoint.RequestTaken).Effect);
        Assert.True(site.At(FaultPoint.RequestTaken).IsNone);
    }
}
