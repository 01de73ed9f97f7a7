using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>Two guests of one host share a page through the grant table (guests/tests/grants.c, hocon/scenarios/grants.conf).</summary>
public sealed class GrantRunTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_front_end_grants_a_page_that_its_back_end_maps_answers_through_and_copies_into(bool parallel)
    {
        var lines = new List<string>();
        var memory = new HostMemoryLedger();

        var outcome = ScenarioRunner.Run(Repository.LoadFile("grants.conf"), output: lines.Add, parallel: parallel, memory: memory);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome) + string.Join('\n', lines));
        Assert.DoesNotContain(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
        foreach (var check in new[]
        {
            "[back] PASS mapper_reads_the_granters_request", "[back] PASS ended_grant_cannot_be_mapped", "[back] PASS grant_copy_status",
            "[front] PASS granter_sees_the_reply_written_through_the_mapping", "[front] PASS granter_sees_the_reply_copied_into_its_page",
            "[front] PASS grant_is_idle_after_the_unmap", "[front] PASS granter_ends_the_grant",
        })
        {
            Assert.Contains(check, lines);
        }

        Assert.Equal(0, memory.MachineFramesBeyondReserved);
    }
}
