using ActorVisor.Config.Faults;
using ActorVisor.Config.Scenario;

namespace ActorVisor.Config.Tests;

public class FaultSpecParserTests
{
    private static FaultRule Rule(string text, long? timelineAt = null)
    {
        var rule = FaultSpecParser.Parse(text, "rule 1", ConfigOrigin.None, timelineAt, out var error);
        Assert.True(error is null, error?.ForFlag("--inject", text));
        return rule!;
    }

    private static FaultSpecError Error(string text, long? timelineAt = null)
    {
        var rule = FaultSpecParser.Parse(text, "rule 1", ConfigOrigin.None, timelineAt, out var error);
        Assert.Null(rule);
        return Assert.IsType<FaultSpecError>(error);
    }

    [Fact]
    public void A_whole_iopm_crash_now_is_a_strike_at_time_zero()
    {
        var rule = Rule("storage crash now");
        Assert.Equal("storage", rule.IopmPattern);
        Assert.Null(rule.DevicePattern);
        Assert.Equal(FaultRuleEffect.Crash, rule.Effect);
        Assert.Equal(0, rule.FromNs);
        Assert.True(rule.IsStrike);
    }

    [Fact]
    public void A_device_rule_reads_its_glob_point_count_and_time()
    {
        var rule = Rule("iopm0/vbd-* crash at after-data every 7 requests at 2s");
        Assert.Equal("vbd-*", rule.DevicePattern);
        Assert.Equal(FaultRulePoint.AfterData, rule.Point);
        Assert.Equal(FaultTrigger.Every, rule.Trigger);
        Assert.Equal(7, rule.Count);
        Assert.Equal(2_000_000_000L, rule.FromNs);
        Assert.False(rule.IsStrike);
        Assert.True(rule.Targets("iopm0", "vbd-3-51712"));
        Assert.False(rule.Targets("iopm0", "vif-3-0"));
        Assert.False(rule.Targets("iopm1", "vbd-3-51712"));
    }

    [Fact]
    public void Delay_takes_a_duration_and_probability_a_fraction()
    {
        var rule = Rule("net/vif-4-0 delay 5ms at notify-frontend with probability 0.25");
        Assert.Equal(FaultRuleEffect.Delay, rule.Effect);
        Assert.Equal(5_000_000L, rule.DelayNs);
        Assert.Equal(FaultTrigger.Probability, rule.Trigger);
        Assert.Equal(0.25, rule.Probability);
    }

    [Fact]
    public void Each_effect_has_its_usual_point_when_none_is_named()
    {
        Assert.Equal(FaultRulePoint.Taken, Rule("a/b hang after 3").PointOrDefault);
        Assert.Equal(FaultRulePoint.HostWrite, Rule("a/b enospc").PointOrDefault);
        Assert.Equal(FaultRulePoint.NotifyFrontend, Rule("a/b drop every 2 requests").PointOrDefault);
    }

    [Theory]
    [InlineData("", 0, "a target")]
    [InlineData("storage", 7, "an effect")]
    [InlineData("storage crsh", 8, "an effect")]
    [InlineData("st$rage crash", 2, "an IOPM name")]
    [InlineData("storage/ crash", 8, "a device name")]
    [InlineData("storage/vbd-1 delay", 19, "a positive duration")]
    [InlineData("storage/vbd-1 delay soon", 20, "a positive duration")]
    [InlineData("storage/vbd-1 crash at befor-data", 23, "a time or a point")]
    [InlineData("storage/vbd-1 crash after", 25, "a whole number")]
    [InlineData("storage/vbd-1 crash after -3", 26, "a whole number")]
    [InlineData("storage/vbd-1 crash every 2 after 3", 28, "how often it fires")]
    [InlineData("storage/vbd-1 crash with chance 0.5", 25, "probability after with")]
    [InlineData("storage/vbd-1 crash with probability 1.5", 37, "a probability")]
    [InlineData("storage/vbd-1 crash now at 3s", 24, "the time given once")]
    [InlineData("storage/vbd-1 crash sometimes", 20, "a clause")]
    [InlineData("storage eio", 8, "crash or hang for a whole IOPM")]
    [InlineData("storage hang after 3", 0, "a device")]
    [InlineData("storage/vbd-1 short-write at host-read", 29, "a point where short-write can strike")]
    [InlineData("storage/vbd-1 drop at host-write", 22, "a point where drop can strike")]
    public void Each_refusal_names_the_offset_of_the_word_it_is_about(string text, int offset, string expected)
    {
        var error = Error(text);
        Assert.Equal(offset, error.Offset);
        Assert.StartsWith(expected, error.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_effect_is_refused_by_name_with_the_nearest_word()
    {
        var error = Error("storage crsh now");
        Assert.Equal("\"crsh\"", error.Found);
        Assert.Contains("crash", error.Hint, StringComparison.Ordinal);
        Assert.Equal("--inject 'storage crsh now': at offset 8: expected an effect (crash, hang, eio, enospc, short-write, delay, drop), found \"crsh\" (did you mean crash?)", error.ForFlag("--inject", "storage crsh now"));
    }

    [Fact]
    public void A_timeline_rule_takes_the_entry_time_and_may_not_name_its_own()
    {
        Assert.Equal(4_000_000_000L, Rule("storage crash", timelineAt: 4_000_000_000L).FromNs);
        Assert.Equal(17, Error("storage crash at 2s", timelineAt: 1).Offset);
    }

    private const string Scenario = "scenario {\n  name = t, stop-at = 10s\n  iopms { storage { backends = [block] } }\n  domains { a { kernel = k } }\n  faults = [\n    \"storage/vbd-* crash at taken every 3\"\n    \"storage/vbd-* crash evry 3\"\n  ]\n  timeline = [\n    { at = 1s, action = inject, fault = \"storge crash\" }\n    { at = 2s, action = inject, fault = \"storage crash\" }\n  ]\n  checks = [ { type = state, domain = a, state = running } ]\n}";

    [Fact]
    public void A_scenario_rule_error_is_located_at_its_word_by_file_line_and_column()
    {
        var result = ScenarioLoader.LoadString(Scenario, "t.conf", environment: Parse.NoEnvironment);
        Assert.False(result.IsSuccess);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Equal(2, errors.Count);
        // Line 7: `    "storage/vbd-* crash evry 3"`, the quote at column 5, "evry" at offset 20.
        Assert.StartsWith("t.conf:7:26: scenario.faults[1]: expected a clause", errors[0], StringComparison.Ordinal);
        Assert.Contains("(did you mean every?)", errors[0], StringComparison.Ordinal);
        // Line 10: the value's quote at column 41; the IOPM name at offset 0, column 42.
        Assert.StartsWith("t.conf:10:42: scenario.timeline[0].fault: expected an IOPM of this scenario (storage), found \"storge\"", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_scenario_numbers_its_rules_faults_list_first_then_the_timeline()
    {
        string text = Scenario.Replace("evry", "every", StringComparison.Ordinal).Replace("storge", "storage", StringComparison.Ordinal);
        var result = ScenarioLoader.LoadString(text, "t.conf", environment: Parse.NoEnvironment);
        Assert.True(result.IsSuccess, result.ErrorText);
        var s = result.Value!;
        Assert.Equal(["rule 1", "rule 2"], s.Faults.Select(f => f.Name));
        var injects = s.Timeline.OfType<InjectRule>().ToList();
        Assert.Equal(["rule 3", "rule 4"], injects.Select(i => i.Rule.Name));
        Assert.Equal(1_000_000_000L, injects[0].Rule.FromNs);
        Assert.True(injects[0].Rule.IsStrike);
    }
}
