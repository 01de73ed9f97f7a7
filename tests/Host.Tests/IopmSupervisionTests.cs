using ActorVisor.Config.Scenario;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// The IOPMs' supervision on the actor tree: idle guests (guests/tests/idle.c, "forever") with one
/// disk each on two IOPMs, and strikes from the timeline. A back-end crash is a restart of that
/// back-end alone, after a backoff; an IOPM crash restarts the IOPM with its back-ends; an IOPM past
/// its budget is replaced and its devices move to the other; a back-end past its budget fails its IOPM.
/// </summary>
public sealed class IopmSupervisionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorvisor-supervision-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ScenarioSpec Load(string storage, string timeline)
    {
        string kernel = Repository.Kernel("x86_64", "idle");
        foreach (var name in new[] { "a", "b", "c" })
        {
            File.WriteAllBytes(Path.Combine(_folder, $"{name}.img"), new byte[64 << 10]);
        }

        string Domain(string name, string backend) => $$"""
            {{name}} { kernel = "{{kernel}}", memory = 16M, cmdline = forever, disks = [ "format=raw, vdev=xvda, access=rw, backend={{backend}}, target={{name}}.img" ] }
            """;
        string text = $$"""
            scenario {
              name = supervision
              stop-at = 1s
              iopms {
                storage { backends = [block], {{storage}} }
                spare { backends = [block, console, net] }
              }
              domains {
                {{Domain("a", "storage")}}
                {{Domain("b", "storage")}}
                {{Domain("c", "spare")}}
              }
              timeline = [
                { at = 0ms, action = start, domain = a }
                { at = 0ms, action = start, domain = b }
                { at = 0ms, action = start, domain = c }
                {{timeline}}
              ]
              checks = [ { type = state, domain = a, state = running } ]
            }
            """;
        var loaded = ScenarioLoader.LoadString(text, "<supervision>", _folder);
        Assert.True(loaded.IsSuccess, loaded.ErrorText);
        return loaded.Value!;
    }

    private static (ScenarioOutcome Outcome, List<string> Lines) Run(ScenarioSpec spec, Action<string>? trace = null, bool parallel = false)
    {
        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(spec, output: lines.Add, trace: trace, parallel: parallel);
        Assert.True(outcome.Error is null, outcome.Error);
        return (outcome, lines);
    }

    [Fact]
    public void A_crashed_back_end_is_restarted_alone_after_a_backoff_that_doubles()
    {
        var (outcome, lines) = Run(Load("max-restarts = 5", """
            { at = 10ms, action = inject, fault = "storage/vbd-2-* crash" }
            { at = 20ms, action = inject, fault = "storage/vbd-2-* crash" }
            """));
        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        Assert.Equal(0, storage.Restarts);
        Assert.Equal(new Dictionary<string, int> { ["vbd-2-51712"] = 2 }, storage.BackendRestarts);
        var backoffs = outcome.Faults.Where(f => f.Step == "backoff").ToList();
        Assert.Equal(["storage/vbd-2-51712 at 10 ms in 1.000 ms", "storage/vbd-2-51712 at 20 ms in 2.000 ms"], backoffs.Select(b => $"{b.Iopm}/{b.Device} at {b.TimeNs / 1_000_000} ms in {b.Detail.Split(" in ")[1][..8]}"));
        Assert.Contains(lines, l => l.StartsWith("[fault] 10.000 ms: storage/vbd-2-51712: crash: injected crash of the back-end (rule 1)", StringComparison.Ordinal));
        Assert.Contains("0 + 2 back-end", SummaryTable.Render(outcome), StringComparison.Ordinal);
        Assert.All(outcome.Domains, d => Assert.Equal("running", d.State.ToString().ToLowerInvariant()));
    }

    [Fact]
    public void A_crashed_iopm_restarts_with_its_back_ends_and_keeps_serving_its_devices()
    {
        var (outcome, lines) = Run(Load("max-restarts = 5", """
            { at = 10ms, action = inject, fault = "storage crash" }
            { at = 30ms, action = inject, fault = "storage crash" }
            """));
        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        Assert.Equal(2, storage.Restarts);
        Assert.False(storage.Replaced);
        Assert.Equal(2, storage.DevicesServed);
        Assert.Equal(2, outcome.Faults.Count(f => f is { Iopm: "storage", Device: "", Step: "restart" }));
        Assert.Contains(lines, l => l.Contains("storage: restart: the IOPM restarts with its 2 back-ends", StringComparison.Ordinal));
        Assert.Equal(0, outcome.Iopms.Single(i => i.Name == "spare").Restarts);
        Assert.All(outcome.Domains, d => Assert.Equal("running", d.State.ToString().ToLowerInvariant()));
    }

    [Fact]
    public void An_iopm_past_its_budget_is_replaced_and_its_devices_move_to_the_other()
    {
        var attached = new List<string>();
        var (outcome, _) = Run(
            Load("max-restarts = 1, restart-window = 1s", """
            { at = 10ms, action = inject, fault = "storage crash" }
            { at = 30ms, action = inject, fault = "storage crash" }
            { at = 50ms, action = inject, fault = "storage crash" }
            """),
            line =>
            {
                if (line.Contains("/user/hypervisor/iopm-spare <- AttachDevice", StringComparison.Ordinal) && line.Contains("TakenOver = True", StringComparison.Ordinal))
                {
                    attached.Add(line.Split(' ')[0]);
                }
            });
        // The spare IOPM's actor is handed both devices, by the storage IOPM's device actors, when the second crash goes past the budget.
        Assert.Equal(["30000000", "30000000"], attached);
        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        var spare = outcome.Iopms.Single(i => i.Name == "spare");
        Assert.True(storage.Replaced);
        Assert.Equal(1, storage.Restarts);
        Assert.Equal(2, storage.DevicesServed);
        Assert.Equal(3, spare.DevicesServed);
        Assert.Equal(["vbd-2-51712 to spare", "vbd-3-51712 to spare"], outcome.Faults.Where(f => f.Step == "moved").Select(f => f.Detail));
        Assert.Contains(outcome.Faults, f => f is { Iopm: "storage", Step: "missed" } && f.TimeNs == 50_000_000);
        Assert.Contains("1, replaced", SummaryTable.Render(outcome), StringComparison.Ordinal);
    }

    [Fact]
    public void A_back_end_past_its_budget_fails_its_iopm_which_restarts_with_every_back_end()
    {
        var (outcome, _) = Run(Load("max-restarts = 1, restart-window = 1s", """
            { at = 10ms, action = inject, fault = "storage/vbd-3-* crash" }
            { at = 30ms, action = inject, fault = "storage/vbd-3-* crash" }
            """));
        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        Assert.Equal(new Dictionary<string, int> { ["vbd-3-51712"] = 1 }, storage.BackendRestarts);
        Assert.Contains(outcome.Faults, f => f is { Device: "vbd-3-51712", Step: "escalate" } && f.TimeNs == 30_000_000);
        Assert.Equal(1, storage.Restarts);
        Assert.Equal(2, storage.DevicesServed);
    }

    [Fact]
    public void In_parallel_runs_restarts_do_not_wait_so_the_run_still_ends()
    {
        // A suspended IOPM would keep counted messages the driver waits for before it moves time to the backoff's end.
        var (outcome, _) = Run(
            Load("max-restarts = 5", """
            { at = 10ms, action = inject, fault = "storage crash" }
            { at = 20ms, action = inject, fault = "storage/vbd-2-* crash" }
            """),
            parallel: true);
        var storage = outcome.Iopms.Single(i => i.Name == "storage");
        Assert.Equal(1, storage.Restarts);
        Assert.Equal(new Dictionary<string, int> { ["vbd-2-51712"] = 1 }, storage.BackendRestarts);
        Assert.All(outcome.Faults.Where(f => f.Step == "backoff"), f => Assert.Contains(" in 0.000 ms", f.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_seed_gives_the_same_fault_timeline()
    {
        string strikes = """
            { at = 10ms, action = inject, fault = "storage crash" }
            { at = 12ms, action = inject, fault = "storage/* crash" }
            """;
        var first = Run(Load("max-restarts = 5", strikes)).Outcome.Faults;
        var second = Run(Load("max-restarts = 5", strikes)).Outcome.Faults;
        Assert.NotEmpty(first);
        Assert.Equal(first.Select(f => f.ToString()), second.Select(f => f.ToString()));
    }
}
