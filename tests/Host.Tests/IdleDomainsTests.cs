using System.Text;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>A hundred idle domains start, block, and are destroyed cleanly.</summary>
public sealed class IdleDomainsTests
{
    [Fact]
    public void A_hundred_idle_domains_start_block_and_are_destroyed_returning_all_their_memory()
    {
        const int Count = 100;
        var memory = new HostMemoryLedger();
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(Repository.LoadString(IdleScenario(Count)), output: lines.Add, memory: memory);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome));
        Assert.Equal(Count, outcome.Domains.Count);
        Assert.Equal(Count, lines.Count(l => l.EndsWith("] idle: blocking until destroyed", StringComparison.Ordinal)));
        Assert.All(outcome.Domains, d =>
        {
            Assert.Equal(DomainState.Destroyed, d.State);
            Assert.Equal("destroyed by the toolstack", d.ExitReason);
            Assert.InRange(d.Instructions, 1, 10_000); // it blocked for good instead of spinning
        });
        Assert.Equal(Enumerable.Range(1, Count), outcome.Domains.Select(d => d.DomainId).Order());
        Assert.Equal((0, 0L, 0L), (memory.Domains, memory.MachineBytes, memory.Frames));
        Assert.Equal(0, memory.MachineFramesBeyondReserved); // every frame of the shared machine came back
    }

    /// <summary>Idle domains i0..i(n-1): all started at 0 ms, checked running at 40 ms, destroyed at 50 ms.</summary>
    internal static string IdleScenario(int count)
    {
        var text = new StringBuilder("actorvisor.machine.physical-cpus = 2\nscenario {\n  name = idle\n  stop-at = 1s\n  domains {\n");
        for (int i = 0; i < count; i++)
        {
            text.Append($"    i{i} {{ kernel = \"../../guests/build/{(i % 2 == 0 ? "x86_64" : "x86_32")}/idle.elf\", memory = 4M, cmdline = forever }}\n");
        }

        text.Append("  }\n  timeline = [\n");
        for (int i = 0; i < count; i++)
        {
            text.Append($"    {{ at = 0ms, action = start, domain = i{i} }}\n    {{ at = 50ms, action = destroy, domain = i{i} }}\n");
        }

        text.Append("  ]\n  checks = [\n");
        for (int i = 0; i < count; i++)
        {
            text.Append($"    {{ type = state, domain = i{i}, state = running, at = 40ms }}\n    {{ type = state, domain = i{i}, state = destroyed }}\n");
        }

        return text.Append("  ]\n}\n").ToString();
    }
}
