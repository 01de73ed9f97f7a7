using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>XenStore in the actor tree: a guest uses the host's store over its ring and obeys the toolstack's shutdown request.</summary>
public sealed class XenStoreRunTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_xenstore_scenario_passes_every_guest_check_and_powers_off_when_asked(bool parallel)
    {
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(Repository.LoadFile("xenstore.conf"), output: lines.Add, parallel: parallel);

        Assert.True(outcome.Passed, string.Join('\n', lines));
        var text = outcome.Console.Select(l => l.Text).ToList();
        Assert.DoesNotContain(text, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Equal(33, text.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("asked store64 to shut down", StringComparison.Ordinal));
        Assert.Equal("poweroff", Assert.Single(outcome.Domains).ExitReason);
    }

    [Fact]
    public void A_shutdown_request_for_a_domain_that_does_not_run_is_refused()
    {
        var spec = Repository.LoadString("""
            scenario {
              name = refused
              stop-at = 1s
              domains { idle { kernel = "../../guests/build/x86_64/idle.elf", memory = 8M } }
              timeline = [ { at = 10ms, action = shutdown, domain = idle } ]
            }
            """);
        var lines = new List<string>();

        ScenarioRunner.Run(spec, output: lines.Add);

        Assert.Contains(lines, l => l.Contains("refused: cannot shut down idle: no such domain", StringComparison.Ordinal));
    }
}
