using ActorVisor.Config.Domain;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Tests;

public class ScenarioLoaderTests
{
    private static ScenarioSpec LoadExample(string name)
    {
        var result = ScenarioLoader.LoadFile(TestData.Path("hocon", "scenarios", name), Parse.NoEnvironment);
        Assert.True(result.IsSuccess, result.ErrorText);
        return result.Value!;
    }

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestData.Path("hocon", "scenarios"), "*.conf").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_shipped_scenario_loads_with_at_least_one_domain_and_one_check(string name)
    {
        var scenario = LoadExample(name);
        Assert.NotEmpty(scenario.Domains);
        Assert.NotEmpty(scenario.Checks);
        Assert.All(scenario.Timeline, a => Assert.InRange(a.AtNs, 0, scenario.StopAtNs));
    }

    [Fact]
    public void Eight_domain_scenario_builds_each_domain_from_the_template_with_its_overrides()
    {
        var s = LoadExample("eight-domains.conf");
        Assert.Equal("eight-domains", s.Name);
        Assert.Equal(42, s.Seed);
        Assert.Equal(20_000_000_000L, s.StopAtNs);
        Assert.Equal(8, s.Domains.Count);
        Assert.All(s.Domains, d => Assert.Equal(32L << 20, d.MemoryBytes));
        Assert.All(s.Domains, d => Assert.EndsWith("/pingpong.elf", d.Kernel, StringComparison.Ordinal));
        Assert.Equal("../../guests/build/x86_32/pingpong.elf", s.Domains.Single(d => d.Name == "d2").Kernel);
        Assert.Equal("../../guests/build/x86_64/pingpong.elf", s.Domains.Single(d => d.Name == "d3").Kernel);
        var d5 = s.Domains.Single(d => d.Name == "d5");
        Assert.Equal(new SchedulerParameters(512, 0), d5.Scheduler);
        Assert.Equal("peer=d6 rounds=20", d5.Cmdline);
        Assert.Equal(2, s.Domains.Single(d => d.Name == "d8").Vcpus);
        Assert.Equal(50, s.Domains.Single(d => d.Name == "d7").Scheduler.CapPercent);
        Assert.Equal(2, s.Settings.Machine.PhysicalCpus);
        Assert.Equal(5_000_000L, s.Settings.Scheduler.TimesliceNs);
        Assert.Equal(8, s.Timeline.OfType<StartDomain>().Count());
    }

    [Fact]
    public void Iopm_scenario_reads_backends_disks_vifs_and_faults()
    {
        var s = LoadExample("iopm-failover.conf");
        var storage = s.Iopms.Single(i => i.Name == "storage");
        Assert.Equal([BackendKind.Block], storage.Backends);
        Assert.Equal(5, storage.MaxRestarts);
        Assert.Equal(3, s.Iopms.Single(i => i.Name == "network").MaxRestarts);
        var db = s.Domains.Single(d => d.Name == "db");
        Assert.Equal(new DiskSpec("db.img", DiskFormat.Raw, "xvda", DiskAccess.ReadWrite, DiskDeviceType.Disk, "storage"), db.Disks[0]);
        Assert.Equal(new DiskSpec("logs.img", DiskFormat.Raw, "xvdb", DiskAccess.ReadWrite, DiskDeviceType.Disk, "storage"), db.Disks[1]);
        Assert.Equal("00:16:3e:00:00:01", db.Vifs[0].Mac);
        Assert.Equal("network", db.Vifs[0].Backend);
        Assert.Equal(LifecycleAction.Restart, db.OnCrash);
        var faults = s.Timeline.OfType<InjectFault>().ToList();
        Assert.Equal(FaultTarget.Iopm, faults[0].Target);
        Assert.Equal("storage", faults[0].Name);
        Assert.Equal(FaultTarget.Backend, faults[1].Target);
        Assert.Equal("xvdb", faults[1].Device);
        Assert.Equal(FaultKind.HostException, faults[1].Kind);
        Assert.Contains(s.Checks, c => c is NoIoLostCheck { Domain: "db" });
    }

    [Fact]
    public void Lifecycle_scenario_keeps_every_action_in_time_order()
    {
        var s = LoadExample("lifecycle.conf");
        Assert.Equal(
            [typeof(StartDomain), typeof(StartDomain), typeof(StartDomain), typeof(PauseDomain), typeof(UnpauseDomain), typeof(SaveDomain), typeof(RestoreDomain), typeof(InjectFault), typeof(MigrateDomain), typeof(DestroyDomain)],
            s.Timeline.Select(a => a.GetType()));
        Assert.Equal("worker-10s", ((SaveDomain)s.Timeline[5]).Snapshot);
        Assert.Equal("host-b", ((MigrateDomain)s.Timeline[8]).TargetHost);
        Assert.Equal("/tmp/actorvisor-snapshots", s.Settings.Persistence.SnapshotDirectory);
        Assert.Contains(s.Checks, c => c is DomainStateCheck { Domain: "worker", State: ExpectedDomainState.Destroyed, AtNs: null });
        Assert.Contains(s.Checks, c => c is ConsoleLineCheck { Domain: "worker", Contains: "count", WithinNs: 4_000_000_000L });
    }

    [Fact]
    public void Domain_defaults_come_from_reference_conf_and_can_be_overridden_in_the_scenario()
    {
        const string text = "actorvisor.domain-defaults.vcpus = 3\nscenario { name = t, stop-at = 1s, domains { a { kernel = k } } }";
        var s = ScenarioLoader.LoadString(text, "t.conf", environment: Parse.NoEnvironment).Value!;
        var a = Assert.Single(s.Domains);
        Assert.Equal(3, a.Vcpus);
        Assert.Equal(128L << 20, a.MemoryBytes);
        Assert.Equal(LifecycleAction.Destroy, a.OnCrash);
        Assert.Equal(1, s.Seed);
        Assert.Equal(TimeMode.Deterministic, s.Settings.Time.Mode);
    }

    [Fact]
    public void All_errors_of_a_scenario_are_reported_at_once_and_no_model_is_returned()
    {
        const string text = "scenario {\n  name = t\n  stop-at = 1s\n  domains {\n    a { kernel = k, vcpu = 2, memory = lots }\n  }\n}";
        var result = ScenarioLoader.LoadString(text, "t.conf", environment: Parse.NoEnvironment);
        Assert.Null(result.Value);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("t.conf:5:21: scenario.domains.a.vcpu: expected a known setting, found \"vcpu\" (did you mean vcpus?)", result.Errors[0].ToString());
        Assert.Equal("t.conf:5:40: scenario.domains.a.memory: expected a size such as 128M, 1 GiB or 512KiB, found \"lots\"", result.Errors[1].ToString());
    }

    [Fact]
    public void Errors_in_list_elements_name_the_position_in_the_list()
    {
        const string text = "scenario {\n  name = t, stop-at = 1s\n  domains { web { kernel = k, disks = [\"a.img,,xvda\", \"b.img,qcow3,xvdb\"] } }\n  timeline = [\n    { at = 0s, action = start, domain = web }\n    { at = 0s, action = pause, domain = wbe }\n  ]\n}";
        var errors = ScenarioLoader.LoadString(text, "t.conf", environment: Parse.NoEnvironment).Errors;
        Assert.Equal(2, errors.Count);
        Assert.Equal("scenario.domains.web.disks[1]", errors[0].Path);
        Assert.Equal("t.conf:6:41: scenario.timeline[1].domain: expected a domain of this scenario (web), found \"wbe\" (did you mean web?)", errors[1].ToString());
    }
}
