using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>Parallel mode: slices run on physical-CPU threads; each domain's results match the deterministic run's.</summary>
public sealed class ParallelRunTests
{
    [Fact]
    public void The_eight_guest_scenario_in_parallel_gives_every_domain_the_same_console_and_exit_as_the_deterministic_run()
    {
        var spec = Repository.LoadFile("eight-guests.conf");

        var deterministic = ScenarioRunner.Run(spec, parallel: false);
        var parallel = ScenarioRunner.Run(spec, parallel: true);

        Assert.True(parallel.Passed, SummaryTable.Render(parallel));
        Assert.Equal(EventChannelRunTests.Results(deterministic), EventChannelRunTests.Results(parallel));
        Assert.Equal(
            deterministic.Domains.Select(d => (d.Name, d.Instructions)),
            parallel.Domains.Select(d => (d.Name, d.Instructions)));
    }

    [Fact]
    public void Domains_that_exchange_events_from_different_physical_cpus_reach_the_same_results_in_parallel()
    {
        var spec = Repository.LoadFile("eight-domains.conf");

        var deterministic = ScenarioRunner.Run(spec, parallel: false);
        var parallel = ScenarioRunner.Run(spec, parallel: true);

        Assert.True(parallel.Passed, SummaryTable.Render(parallel));
        Assert.Equal(EventChannelRunTests.Results(deterministic), EventChannelRunTests.Results(parallel));
    }

    [Fact]
    public void Destroying_a_running_domain_in_parallel_mode_waits_for_its_slice_and_returns_its_memory()
    {
        var spec = Repository.LoadString("""
            actorvisor.machine.physical-cpus = 2
            actorvisor.scheduler.timeslice = 1ms
            scenario {
              name = destroy-while-running
              stop-at = 1s
              domains {
                spinner { kernel = "../../guests/build/x86_64/busy.elf", memory = 16M }
                other { kernel = "../../guests/build/x86_32/busy.elf", memory = 16M }
              }
              timeline = [
                { at = 0ms, action = start, domain = spinner }
                { at = 0ms, action = start, domain = other }
                { at = 3ms, action = destroy, domain = spinner }
              ]
              checks = [
                { type = console, domain = other, contains = "PASS busy", within = 1s }
                { type = state, domain = spinner, state = destroyed }
              ]
            }
            """);
        var memory = new HostMemoryLedger();

        var outcome = ScenarioRunner.Run(spec, parallel: true, memory: memory);

        Assert.True(outcome.Passed, SummaryTable.Render(outcome));
        Assert.Equal("destroyed by the toolstack", outcome.Domains.Single(d => d.Name == "spinner").ExitReason);
        Assert.InRange(outcome.Domains.Single(d => d.Name == "spinner").Instructions, 2_000_000, 4_000_000);
        Assert.Equal((0, 0L, 0L), (memory.Domains, memory.MachineBytes, memory.Frames));
        Assert.Equal(0, memory.MachineFramesBeyondReserved);
    }
}
