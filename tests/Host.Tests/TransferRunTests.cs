using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>Two guests of one host move a page from one to the other with GNTTABOP_transfer (guests/tests/transfer.c, hocon/scenarios/transfer.conf).</summary>
public sealed class TransferRunTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_page_written_by_the_sender_is_owned_and_read_by_the_receiver_after_the_transfer(bool parallel)
    {
        var lines = new List<string>();
        var memory = new HostMemoryLedger();

        var outcome = ScenarioRunner.Run(Repository.LoadFile("transfer.conf"), output: lines.Add, parallel: parallel, memory: memory);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome) + string.Join('\n', lines));
        Assert.DoesNotContain(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
        foreach (var check in new[]
        {
            "[sender] PASS a_page_still_mapped_is_refused", "[sender] PASS transfer", "[sender] PASS a_page_given_away_cannot_be_given_again",
            "[sender] PASS sender_holds_one_page_fewer", "[sender] PASS sender_can_no_longer_map_it",
            "[receiver] PASS the_entry_is_completed_with_a_frame", "[receiver] PASS receiver_maps_the_page_it_now_owns",
            "[receiver] PASS receiver_reads_the_senders_data", "[receiver] PASS receiver_holds_its_pages_again", "[receiver] PASS m2p_names_the_receivers_pfn",
        })
        {
            Assert.Contains(check, lines);
        }

        // The transferred frame went back to the machine with its new owner.
        Assert.Equal(0, memory.MachineFramesBeyondReserved);
    }
}
