using Akka.Configuration;

namespace ActorVisor.Actors.Tests;

/// <summary>How the extension is selected by HOCON, and what happens when it is half-selected.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public void The_deterministic_settings_select_the_virtual_time_scheduler_and_the_deterministic_dispatcher()
    {
        var system = ActorSystem.Create("config", DeterministicConfig.Apply(5, null));
        var runtime = DeterministicRuntime.Of(system);

        Assert.NotNull(runtime);
        Assert.Equal(5, runtime!.Seed);
        Assert.IsType<DeterministicDispatcher>(system.Dispatchers.DefaultGlobalDispatcher);
        Assert.True(runtime.Terminate(system, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void User_settings_override_the_deterministic_defaults()
    {
        var system = ActorSystem.Create("config", DeterministicConfig.Apply(5, ConfigurationFactory.ParseString("akka.loglevel = ERROR, akka.actor.default-dispatcher.throughput = 7")));
        var runtime = DeterministicRuntime.Of(system)!;

        Assert.Equal(7, system.Dispatchers.DefaultGlobalDispatcher.Throughput);
        Assert.Equal("ERROR", system.Settings.LogLevel);
        Assert.True(runtime.Terminate(system, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_deterministic_dispatcher_without_the_virtual_time_scheduler_is_a_configuration_error()
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loggers = ["Akka.Event.StandardOutLogger, Akka"]
            akka.actor.deterministic-only { type = "{{DeterministicConfig.DispatcherType}}" }
            """);
        using var system = ActorSystem.Create("config", config);

        var error = Assert.ThrowsAny<Exception>(() => system.Dispatchers.Lookup("akka.actor.deterministic-only"));

        Assert.Contains("akka.scheduler.implementation", error.ToString(), StringComparison.Ordinal);
    }
}
