using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// The user scenario hocon/scenarios/iopm-crash.conf: four SDK disk guests (guests/tests/disk.c),
/// three on the storage IOPM and one on the spare, and the storage IOPM crashed three times while
/// they write and verify their blocks. What this test checks: the hypervisor restarted the storage
/// IOPM three times, after backoffs of 1, 2 and 4 ms of virtual time, each time with its three
/// back-ends; the summary shows the restarts; no domain was lost (none crashed or was destroyed by
/// the faults); the guest of the other IOPM wrote and verified its blocks; the run's fault
/// timeline is the same from one run to the next. What it does not check yet: that the storage
/// guests' own verification passes, which needs the back-ends to recover their rings transparently
/// on restart (the device half of issue 13); the scenario's own checks state it and fail until then.
/// </summary>
public sealed class IopmCrashScenarioTests
{
    /// <summary>The scenario's images, as `make -C guests disks` makes them: 1 MiB of zeros each, reset for every run.</summary>
    internal static void MakeDisks()
    {
        string folder = Path.Combine(Repository.Root, "guests", "build", "disks");
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            File.WriteAllBytes(Path.Combine(folder, name + ".img"), new byte[1 << 20]);
        }
    }

    [Fact]
    public void The_storage_iopm_is_restarted_three_times_and_no_domain_is_lost()
    {
        MakeDisks();
        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(Repository.LoadFile("iopm-crash.conf"), output: lines.Add);
        Assert.True(outcome.Error is null, outcome.Error);

        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        Assert.Equal(3, storage.Restarts);
        Assert.Equal(
            ["1.000 ms", "2.000 ms", "4.000 ms"],
            outcome.Faults.Where(f => f is { Iopm: "storage", Device: "", Step: "backoff" }).Select(f => f.Detail.Split(" in ")[1][..8]));
        Assert.Equal(3, lines.Count(l => l.Contains("storage: restart: the IOPM restarts with its 3 back-ends", StringComparison.Ordinal)));
        Assert.Matches(@"storage\s+0\s+.*\s3\n", SummaryTable.Render(outcome));

        Assert.All(outcome.Domains, d => Assert.NotEqual("crashed", d.State.ToString().ToLowerInvariant()));
        Assert.All(outcome.Domains.Where(d => d.Name != "c"), d => Assert.Equal("running", d.State.ToString().ToLowerInvariant()));
        var spareGuest = outcome.Checks.Single(c => c.Check.StartsWith("c prints", StringComparison.Ordinal));
        Assert.True(spareGuest.Passed, spareGuest.Detail);

        MakeDisks();
        var again = ScenarioRunner.Run(Repository.LoadFile("iopm-crash.conf"));
        Assert.Equal(outcome.Faults.Select(f => f.ToString()), again.Faults.Select(f => f.ToString()));
    }
}
