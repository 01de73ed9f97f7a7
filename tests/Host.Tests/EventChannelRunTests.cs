using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>Domains that exchange interdomain events, set up by the toolstack from peer=NAME words.</summary>
public sealed class EventChannelRunTests
{
    [Fact]
    public void Eight_domains_in_a_ring_exchange_twenty_pings_and_pongs_over_every_channel()
    {
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(Repository.LoadFile("eight-domains.conf"), output: lines.Add);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome));
        Assert.All(outcome.Domains, d => Assert.Equal(("poweroff", DomainState.Destroyed), (d.ExitReason, d.State)));

        // Every domain binds to one neighbour and listens for the other (d1 listens for both, d8 binds to both).
        Assert.Equal(8, lines.Count(l => l.EndsWith("] PASS pingpong", StringComparison.Ordinal)));
        Assert.Equal(8, lines.Count(l => l.Contains("] pingpong: 20 pongs from dom", StringComparison.Ordinal)));
        Assert.Equal(8, lines.Count(l => l.Contains("] pingpong: answered 20 pings from dom", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pair_of_domains_gets_a_listening_and_a_binding_end_on_their_command_lines()
    {
        var spec = Repository.LoadString("""
            actorvisor.machine.physical-cpus = 1
            scenario {
              name = pair
              stop-at = 1s
              domains {
                a { kernel = "../../guests/build/x86_64/pingpong.elf", memory = 16M, cmdline = "peer=b rounds=7" }
                b { kernel = "../../guests/build/x86_32/pingpong.elf", memory = 16M, cmdline = "rounds=7" }
              }
              timeline = [
                { at = 0ms, action = start, domain = a }
                { at = 1ms, action = start, domain = b }
              ]
              checks = [ { type = console, domain = b, contains = "pingpong: 7 pongs from dom1", within = 1s } ]
            }
            """);
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(spec, output: lines.Add);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome));
        Assert.Contains("[a] pingpong: answered 7 pings from dom2", lines);
        Assert.Contains("[b] PASS bind_interdomain", lines);
        Assert.Equal(["[a] PASS pingpong", "[b] PASS pingpong"], lines.Where(l => l.EndsWith("PASS pingpong", StringComparison.Ordinal)));
    }

    [Fact]
    public void Two_runs_with_the_same_seed_give_identical_output_and_event_traces_and_another_seed_the_same_results()
    {
        var spec = Repository.LoadFile("eight-domains.conf");
        (string Output, List<string> Trace, ScenarioOutcome Outcome) Run(long seed)
        {
            var lines = new List<string>();
            var trace = new List<string>();
            var outcome = ScenarioRunner.Run(spec, seed, lines.Add, trace: trace.Add);
            lines.Add(SummaryTable.Render(outcome));
            return (string.Join("\n", lines), trace, outcome);
        }

        var first = Run(7);
        var second = Run(7);
        var other = Run(8);

        Assert.Equal(first.Output, second.Output);
        Assert.Equal(first.Trace, second.Trace);
        Assert.Contains(first.Trace, t => t.Contains("<- WakeVcpu", StringComparison.Ordinal));
        Assert.True(first.Trace.Count > 1_000, $"only {first.Trace.Count} deliveries traced");
        Assert.True(other.Outcome.Passed, SummaryTable.Render(other.Outcome));
        Assert.Equal(Results(first.Outcome), Results(other.Outcome));
    }

    /// <summary>What a domain achieved, independent of interleaving: its checks' lines and how it ended.</summary>
    internal static Dictionary<string, string> Results(ScenarioOutcome outcome) =>
        outcome.Domains.ToDictionary(
            d => d.Name,
            d => string.Join(
                "\n",
                outcome.Console.Where(l => l.Domain == d.Name && !l.Text.Contains("waits", StringComparison.Ordinal)).Select(l => l.Text)
                    .Append($"{d.State} {d.ExitReason}")));
}
