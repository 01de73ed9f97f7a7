namespace ActorVisor.Host.Tests;

/// <summary>`actorvisor run ... --inject RULE`: the command line's rules join the scenario's plan; a refused one names the flag and the offset.</summary>
[Collection(IopmCrashImages.Name)]
public sealed class InjectFlagTests
{
    [Fact]
    public void An_unknown_word_is_refused_with_the_flag_the_rule_and_its_offset()
    {
        var (exitCode, output, error) = CliProcess.Run("run", "hocon/scenarios/iopm-crash.conf", "--inject", "storage/vbd-* crash at befor-data");
        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        Assert.Equal("actorvisor: --inject 'storage/vbd-* crash at befor-data': at offset 23: expected a time or a point (taken, before-data, after-data, response, host-read, host-write, flush, notify-frontend, notify-backend), found \"befor-data\" (did you mean before-data?)", error.Trim());
    }

    [Fact]
    public void A_rule_for_an_iopm_the_scenario_lacks_is_refused()
    {
        var (exitCode, _, error) = CliProcess.Run("run", "hocon/scenarios/iopm-crash.conf", "--inject", "network crash now");
        Assert.Equal(2, exitCode);
        Assert.Contains("at offset 0: expected an IOPM of the scenario (storage, spare), found \"network\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_line_strike_is_numbered_after_the_scenario_rules_and_acts_at_its_time()
    {
        IopmCrashScenarioTests.MakeDisks();
        var (_, output, error) = CliProcess.Run("run", "hocon/scenarios/iopm-crash.conf", "--inject", "spare crash at 1ms", "--inject", "spare/vbd-* crash at 4ms");
        Assert.Equal("", error);
        Assert.Contains("[toolstack] 1.000 ms: rule 4: spare crash at 1ms", output, StringComparison.Ordinal);
        Assert.Contains("[fault] 1.000 ms: spare: crash: injected crash of the IOPM (rule 4)", output, StringComparison.Ordinal);
        // The spare IOPM's one back-end (domain c's disk) is struck alone, restarted after the first backoff and re-attached; c's blocks still verify.
        Assert.Contains("[fault] 4.000 ms: spare/vbd-4-51712: crash: injected crash of the back-end (rule 5)", output, StringComparison.Ordinal);
        Assert.Contains("[fault] 4.000 ms: spare/vbd-4-51712: backoff: restart 1 of 3 in 1.000 ms (killed by an injected crash)", output, StringComparison.Ordinal);
        Assert.Contains("[fault] 5.000 ms: spare/vbd-4-51712: recover: re-attached to the same rings, 0 requests taken again", output, StringComparison.Ordinal);
        Assert.Contains("[c] disk: 16 blocks written and verified across the disk", output, StringComparison.Ordinal);
    }
}
