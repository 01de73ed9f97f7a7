using ActorVisor.Config.Scenario;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// A scenario with two IOPMs serving four domains' disks (raw images) and vifs (one bridge): the
/// placement policy spreads the devices, every back-end reaches InitWait in its IOPM, destroying the
/// domains gives every device back, and the summary has a row per IOPM; deterministic and parallel.
/// </summary>
public sealed class TwoIopmScenarioTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorvisor-iopms-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ScenarioSpec Load()
    {
        string kernel = Path.Combine(Repository.Root, "guests/build/x86_64/hello.elf");
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            File.WriteAllBytes(Path.Combine(_folder, $"{name}.img"), new byte[1 << 20]);
        }

        string Domain(string name, string? backend) => $$"""
            {{name}} {
              kernel = "{{kernel}}"
              memory = 16M
              disks = [ "format=raw, vdev=xvda, access=rw{{(backend is null ? "" : ", backend=" + backend)}}, target={{name}}.img" ]
              vifs = [ { bridge = xenbr0 } ]
            }
            """;
        string text = $$"""
            actorvisor.machine.physical-cpus = 2
            scenario {
              name = two-iopms
              stop-at = 1s
              iopms {
                storage { backends = [block, net] }
                spare { backends = [block, net] }
              }
              domains {
                {{Domain("a", "storage")}}
                {{Domain("b", null)}}
                {{Domain("c", null)}}
                {{Domain("d", null)}}
              }
              timeline = [
                { at = 0ms, action = start, domain = a }
                { at = 0ms, action = start, domain = b }
                { at = 0ms, action = start, domain = c }
                { at = 0ms, action = start, domain = d }
              ]
              checks = [ { type = console, domain = d, contains = "PASS hello", within = 1s } ]
            }
            """;
        var loaded = ScenarioLoader.LoadString(text, "<two-iopms>", _folder);
        Assert.True(loaded.IsSuccess, loaded.ErrorText);
        return loaded.Value!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_iopms_share_four_domains_disks_and_vifs_and_the_summary_shows_each(bool parallel)
    {
        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(Load(), output: lines.Add, parallel: parallel);
        Assert.True(outcome.Iopms.Sum(i => i.DevicesServed) == 8, string.Join("\n", lines));

        Assert.True(outcome.Passed, outcome.Error ?? SummaryTable.Render(outcome));
        Assert.Equal([("storage", 0), ("spare", 1)], outcome.Iopms.Select(i => (i.Name, i.DomainId)));
        Assert.Equal(8, outcome.Iopms.Sum(i => i.DevicesServed));
        Assert.All(outcome.Iopms, i => Assert.Equal(4, i.DevicesServed));
        Assert.All(outcome.Iopms, i => Assert.Equal(0, i.Devices));
        string summary = SummaryTable.Render(outcome);
        Assert.Contains("iopm", summary, StringComparison.Ordinal);
        Assert.Contains("0 (4 served)", summary, StringComparison.Ordinal);
        Assert.Equal(parallel, summary.Contains("busy (host)", StringComparison.Ordinal));
    }
}
