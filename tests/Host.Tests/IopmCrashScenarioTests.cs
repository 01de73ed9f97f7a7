using ActorVisor.Config.Faults;
using ActorVisor.Config.Scenario;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// The user scenario hocon/scenarios/iopm-crash.conf: four SDK disk guests (guests/tests/disk.c),
/// three on the storage IOPM and one on the spare, and the storage IOPM crashed three times while
/// they write and verify their blocks. The hypervisor restarts the storage IOPM after backoffs of
/// 1, 2 and 4 ms of virtual time, each time with its three back-ends, which re-attach to the same
/// rings; every guest's own verification passes (the scenario's four checks), in deterministic and
/// parallel runs. With back-end crashes at a fault point as well (after the data is written, before
/// the response), the restarted back-ends take the unanswered request again and the guests' data
/// still holds. A back-end hung by a strike is restarted by its IOPM's watchdog (no progress for
/// 20 ms of virtual time with work unanswered), and without a watchdog its guests never finish;
/// notifications held back by a delay are sent after it. The scenario's no-io-lost check passes when
/// every block request was answered and names the domains whose requests were left unanswered. The run's fault timeline is the same from one deterministic run to the next.
/// </summary>
[Collection(IopmCrashImages.Name)]
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

    private static (ScenarioOutcome Outcome, List<string> Lines) Run(bool parallel, params string[] inject) => Run(parallel, spec => spec, inject);

    private static (ScenarioOutcome Outcome, List<string> Lines) Run(bool parallel, Func<ScenarioSpec, ScenarioSpec> change, params string[] inject)
    {
        MakeDisks();
        var rules = inject.Select((text, i) =>
        {
            var rule = FaultSpecParser.Parse(text, $"--inject #{i + 1}", new Config.ConfigOrigin($"--inject #{i + 1}", 0, 0), null, out var error);
            Assert.True(rule is not null, error?.ToString());
            return rule!;
        }).ToList();
        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(change(Repository.LoadFile("iopm-crash.conf")), output: lines.Add, parallel: parallel, inject: rules);
        Assert.True(outcome.Error is null, outcome.Error);
        return (outcome, lines);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_storage_iopm_is_restarted_three_times_and_every_guest_verifies_its_blocks(bool parallel)
    {
        var (outcome, lines) = Run(parallel);
        Assert.True(outcome.Passed, SummaryTable.Render(outcome) + "\n" + string.Join("\n", lines));
        Assert.Equal(5, outcome.Checks.Count(c => c.Passed));
        Assert.Equal(("no I/O is lost", "every block request was answered"), (outcome.Checks[^1].Check, outcome.Checks[^1].Detail));

        // In parallel runs the guests may finish (their devices gone) before the last strike at 9 ms, which then misses.
        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        int strikes = outcome.Faults.Count(f => f is { Iopm: "storage", Device: "", Step: "crash" });
        Assert.Equal(parallel ? strikes : 3, storage.Restarts);
        Assert.InRange(storage.Restarts, parallel ? 2 : 3, 3);
        // Parallel runs do not wait out a backoff (configuration.md).
        Assert.Equal(
            parallel ? Enumerable.Repeat("0.000 ms", strikes) : ["1.000 ms", "2.000 ms", "4.000 ms"],
            outcome.Faults.Where(f => f is { Iopm: "storage", Device: "", Step: "backoff" }).Select(f => f.Detail.Split(" in ")[1][..8]));
        Assert.Equal(storage.Restarts, lines.Count(l => l.Contains("storage: restart: the IOPM restarts with its ", StringComparison.Ordinal)));

        // Each restart re-attaches each of the three back-ends that are still connected.
        var recovered = outcome.Faults.Where(f => f is { Iopm: "storage", Step: "recover" }).ToList();
        Assert.NotEmpty(recovered);
        Assert.All(recovered, f => Assert.StartsWith("re-attached to the same rings", f.Detail, StringComparison.Ordinal));
        Assert.All(outcome.Domains, d => Assert.Equal(("destroyed", "poweroff"), (d.State.ToString().ToLowerInvariant(), d.ExitReason)));
        Assert.Matches($@"storage\s+0\s+.*\s{storage.Restarts}\s*(\d+\.\d+ ms)?\n", SummaryTable.Render(outcome));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Back_ends_crashed_after_writing_take_the_unanswered_request_again_and_the_data_holds(bool parallel)
    {
        var (outcome, lines) = Run(parallel, "storage/vbd-* crash at after-data every 5 requests");
        Assert.True(outcome.Passed, SummaryTable.Render(outcome) + "\n" + string.Join("\n", lines));

        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        Assert.Equal(3, storage.BackendRestarts.Count);
        Assert.All(storage.BackendRestarts.Values, n => Assert.True(n >= 3, $"{n} back-end restarts"));
        var crashes = outcome.Faults.Where(f => f is { Step: "crash" } && f.Detail.StartsWith("AfterData", StringComparison.Ordinal)).ToList();
        Assert.Equal(storage.BackendRestarts.Values.Sum(), crashes.Count);

        // A crash after the data and before the response leaves one request taken and unanswered: it is replayed.
        Assert.Contains(outcome.Faults, f => f is { Step: "recover" } && f.Detail == "re-attached to the same rings, 1 requests taken again");
        Assert.Empty(outcome.Iopms.Single(i => i.Name == "spare").BackendRestarts);
    }

    [Fact]
    public void A_hung_back_end_is_restarted_by_its_watchdog_and_its_guest_finishes()
    {
        // After the IOPM's last restart (13 ms) the storage back-ends hang at their next request:
        // those of a and d (b has finished by then) take one at about 15.1 ms and answer nothing more.
        var (outcome, lines) = Run(parallel: false, "storage/vbd-* hang at 15ms");
        Assert.True(outcome.Passed, SummaryTable.Render(outcome) + "\n" + string.Join("\n", lines));
        var watchdogs = outcome.Faults.Where(f => f.Step == "watchdog").ToList();
        Assert.Equal(["vbd-2-51712", "vbd-5-51712"], watchdogs.Select(f => f.Device));
        Assert.All(watchdogs, f => Assert.InRange(f.TimeNs, 35_000_000, 36_000_000));
        Assert.All(watchdogs, f => Assert.Equal("no progress for 20.000 ms with work unanswered: the back-end is restarted", f.Detail));
        Assert.Equal(new Dictionary<string, int> { ["vbd-2-51712"] = 1, ["vbd-5-51712"] = 1 }, outcome.Iopms.Single(i => i.Name == "storage").BackendRestarts);
        Assert.Equal(2, outcome.Faults.Count(f => f is { Step: "recover" } && f.TimeNs > 35_000_000 && f.Detail == "re-attached to the same rings, 1 requests taken again"));
    }

    [Fact]
    public void Without_a_watchdog_a_hung_back_end_stays_hung_and_its_guests_never_finish()
    {
        var (outcome, _) = Run(
            parallel: false,
            spec => spec with { Iopms = spec.Iopms.Select(i => i with { WatchdogNs = 0 }).ToList() },
            "storage/vbd-* hang at 15ms");
        Assert.False(outcome.Passed);
        Assert.Equal(["b", "c"], outcome.Checks.Where(c => c.Passed).Select(c => c.Check[..1]));
        // The hung back-ends' requests are still unanswered when the run ends and their connections close.
        Assert.Equal(("no I/O is lost", false), (outcome.Checks[^1].Check, outcome.Checks[^1].Passed));
        Assert.Matches(@"^a: [1-9]\d* requests unanswered, d: [1-9]\d* requests unanswered$", outcome.Checks[^1].Detail);
        Assert.DoesNotContain(outcome.Faults, f => f.Step == "watchdog");
        Assert.Empty(outcome.Iopms.Single(i => i.Name == "storage").BackendRestarts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Notifications_held_back_by_a_delay_are_sent_after_it_and_the_data_holds(bool parallel)
    {
        var (outcome, lines) = Run(parallel, "storage/vbd-* delay 3ms at notify-frontend every 7 requests");
        Assert.True(outcome.Passed, SummaryTable.Render(outcome) + "\n" + string.Join("\n", lines));
        Assert.Contains(outcome.Faults, f => f.Step == "fault" && f.Detail.StartsWith("delay at notify-frontend", StringComparison.Ordinal));
        Assert.DoesNotContain(outcome.Faults, f => f.Step == "watchdog");
        Assert.Empty(outcome.Iopms.Single(i => i.Name == "storage").BackendRestarts);
    }

    [Fact]
    public void The_same_seed_gives_the_same_fault_timeline()
    {
        var first = Run(parallel: false, "storage/vbd-* crash at after-data every 5 requests").Outcome;
        var again = Run(parallel: false, "storage/vbd-* crash at after-data every 5 requests").Outcome;
        Assert.NotEmpty(first.Faults);
        Assert.Equal(first.Faults.Select(f => f.ToString()), again.Faults.Select(f => f.ToString()));
    }
}

/// <summary>The tests that run iopm-crash.conf share its disk images under guests/build/disks, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class IopmCrashImages
{
    public const string Name = "iopm-crash.conf images";
}
