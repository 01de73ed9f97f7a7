using ActorVisor.Actors.Deterministic;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>One HOCON: a scenario's akka { } settings reach the actor system the scenario runs on.</summary>
public sealed class ScenarioAkkaSettingsTests
{
    [Fact]
    public void A_scenario_sets_akkas_log_level_and_throughput_and_keeps_the_deterministic_runtime()
    {
        var spec = Repository.LoadString("""
            akka {
              loglevel = ERROR
              actor.default-dispatcher.throughput = 5
            }
            scenario {
              name = tuned
              stop-at = 1s
              domains { idle { kernel = "../../guests/build/x86_64/idle.elf", memory = 8M } }
            }
            """);

        var system = ScenarioRunner.CreateSystem(spec, seed: 3);
        var runtime = DeterministicRuntime.Of(system);
        try
        {
            Assert.Equal("ERROR", system.Settings.LogLevel);
            Assert.Equal(5, system.Dispatchers.DefaultGlobalDispatcher.Throughput);
            Assert.NotNull(runtime);
            Assert.Equal(3, runtime!.Seed);
            Assert.True(system.Dispatchers.HasDispatcher(PhysicalCpus.DispatcherId));
        }
        finally
        {
            runtime?.Terminate(system, TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void Without_an_akka_section_in_the_scenario_reference_conf_decides()
    {
        var spec = Repository.LoadString("""
            scenario {
              name = plain
              stop-at = 1s
              domains { idle { kernel = "../../guests/build/x86_64/idle.elf", memory = 8M } }
            }
            """);

        var system = ScenarioRunner.CreateSystem(spec, seed: 3);
        try
        {
            Assert.Equal("WARNING", system.Settings.LogLevel);
            Assert.Equal(1, system.Dispatchers.DefaultGlobalDispatcher.Throughput);
        }
        finally
        {
            DeterministicRuntime.Of(system)!.Terminate(system, TimeSpan.FromSeconds(5));
        }
    }
}
