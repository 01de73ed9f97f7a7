using ActorVisor.Config.Scenario;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Tests;

/// <summary>The akka { } section: checked with located errors where the host relies on it, and rendered whole for Akka.</summary>
public class AkkaSectionTests
{
    private const string Scenario = "scenario {\n  name = t\n  stop-at = 1s\n  domains { a { kernel = k } }\n}\n";

    [Fact]
    public void A_bad_log_level_is_a_located_error()
    {
        var result = ScenarioLoader.LoadString("akka {\n  loglevel = WARN\n}\n" + Scenario, "t.conf", environment: Parse.NoEnvironment);

        Assert.Null(result.Value);
        Assert.Equal("t.conf:2:14: akka.loglevel: expected one of OFF, ERROR, WARNING, INFO, DEBUG, found \"WARN\"", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void A_throughput_below_one_is_a_located_error()
    {
        var result = ScenarioLoader.LoadString("akka.actor.default-dispatcher.throughput = 0\n" + Scenario, "t.conf", environment: Parse.NoEnvironment);

        Assert.Equal("t.conf:1:44: akka.actor.default-dispatcher.throughput: expected a whole number of at least 1, found 0", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void The_section_renders_the_scenario_settings_over_the_reference_ones_and_keeps_unknown_akka_keys()
    {
        var result = ScenarioLoader.LoadString("akka { loglevel = ERROR, log-config-on-start = off }\n" + Scenario, "t.conf", environment: Parse.NoEnvironment);
        Assert.True(result.IsSuccess, result.ErrorText);

        var text = AkkaSection.Render(result.Value!.Config);

        Assert.StartsWith("akka {\n", text, StringComparison.Ordinal);
        Assert.Contains("loglevel = \"ERROR\"", text, StringComparison.Ordinal);
        Assert.Contains("log-config-on-start = \"off\"", text, StringComparison.Ordinal);
        Assert.Contains("type = \"PinnedDispatcher\"", text, StringComparison.Ordinal);
        var reparsed = ConfigFactory.ParseString(text);
        Assert.Equal("ERROR", reparsed.GetString("akka.loglevel"));
        Assert.Equal(1, reparsed.GetInt("akka.actor.default-dispatcher.throughput"));
    }
}
