using ActorVisor.Config.Scenario;

namespace ActorVisor.Config.Tests;

/// <summary>An IOPM's <c>watchdog</c> key: its default from reference.conf, a value of its own, 0s for off, and a bad value located.</summary>
public sealed class IopmWatchdogTests
{
    private static ConfigResult<ScenarioSpec> Load(string keys) => ScenarioLoader.LoadString(
        $"scenario {{\n  name = t, stop-at = 1s\n  iopms {{ storage {{ backends = [block]{keys} }} }}\n  domains {{ a {{ kernel = k }} }}\n  checks = [ {{ type = state, domain = a, state = running }} ]\n}}",
        "t.conf",
        environment: Parse.NoEnvironment);

    [Theory]
    [InlineData("", 20_000_000)]
    [InlineData(", watchdog = 5ms", 5_000_000)]
    [InlineData(", watchdog = 0s", 0)]
    public void The_watchdog_period_is_the_iopms_own_or_the_default(string keys, long expectedNs)
    {
        var result = Load(keys);
        Assert.True(result.IsSuccess, result.ErrorText);
        Assert.Equal(expectedNs, result.Value!.Iopms.Single().WatchdogNs);
    }

    [Theory]
    [InlineData(", watchdog = -5ms", "a duration of 0s (off) or more")]
    [InlineData(", watchdog = soon", "t.conf:3:")]
    public void A_bad_watchdog_is_refused_at_its_place(string keys, string expected)
    {
        var result = Load(keys);
        Assert.False(result.IsSuccess);
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("scenario.iopms.storage.watchdog", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
