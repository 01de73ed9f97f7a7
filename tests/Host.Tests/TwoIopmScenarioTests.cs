using ActorVisor.Config.Scenario;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// A scenario with two IOPMs serving four domains' disks (raw images) and vifs (one bridge): the
/// placement policy spreads the devices, every back-end reaches InitWait in its IOPM, destroying the
/// domains gives every device back, and the summary has a row per IOPM; deterministic and parallel.
/// With our SDK disk guest in every domain (both widths), each domain's blocks go through the IOPM
/// that placement chose for its disk, and both IOPMs carry requests.
/// </summary>
public sealed class TwoIopmScenarioTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorvisor-iopms-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] Names = ["a", "b", "c", "d"];

    private ScenarioSpec Load(Func<string, string> kernelOf, string checks, string stopAt = "1s")
    {
        foreach (var name in Names)
        {
            using var image = File.Create(Path.Combine(_folder, $"{name}.img"));
            image.SetLength(8 << 20);
        }

        string Domain(string name, string? backend) => $$"""
            {{name}} {
              kernel = "{{kernelOf(name)}}"
              memory = 16M
              disks = [ "format=raw, vdev=xvda, access=rw{{(backend is null ? "" : ", backend=" + backend)}}, target={{name}}.img" ]
              vifs = [ { bridge = xenbr0 } ]
            }
            """;
        string text = $$"""
            actorvisor.machine.physical-cpus = 2
            scenario {
              name = two-iopms
              stop-at = {{stopAt}}
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
              checks = [ {{checks}} ]
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
        string hello = Path.Combine(Repository.Root, "guests/build/x86_64/hello.elf");
        var spec = Load(_ => hello, """{ type = console, domain = d, contains = "PASS hello", within = 1s }""");
        var outcome = ScenarioRunner.Run(spec, output: lines.Add, parallel: parallel);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Four_disk_guests_on_two_iopms_write_and_verify_their_blocks_and_both_iopms_carry_the_load(bool parallel)
    {
        // Two 64-bit and two 32-bit PAE guests: a and c are x86_64, b and d x86_32.
        string KernelOf(string name) => Repository.Kernel(name is "a" or "c" ? "x86_64" : "x86_32", "disk");
        string checks = string.Join(' ', Names.Select(n => $$"""{ type = console, domain = {{n}}, contains = "PASS disk", within = 20s }"""));
        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(Load(KernelOf, checks, stopAt: "20s"), output: lines.Add, parallel: parallel);

        string all = string.Join('\n', lines);
        Assert.True(outcome.Passed, (outcome.Error ?? SummaryTable.Render(outcome)) + "\n" + all);
        Assert.DoesNotContain(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
        Assert.All(Names, n => Assert.Contains(lines, l => l.StartsWith($"[{n}] ", StringComparison.Ordinal) && l.EndsWith("PASS disk", StringComparison.Ordinal)));

        // Each disk guest writes and reads 16 blocks and has one read past the end refused: every
        // IOPM that serves two disks sees at least 2 x 32 block requests and exactly 2 refusals.
        Assert.All(outcome.Iopms, i => Assert.True(i.DevicesServed == 4 && i.Requests >= 64 && i.Errors == 2 && i.Bytes >= 2 * 32 * 4096, $"IOPM figures: {i}"));
        foreach (var name in Names)
        {
            Assert.Contains(File.ReadAllBytes(Path.Combine(_folder, $"{name}.img")), b => b != 0);
        }
    }
}
