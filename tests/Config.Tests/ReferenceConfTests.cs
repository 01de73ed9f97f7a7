using ActorVisor.Config.Hocon;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Tests;

public class ReferenceConfTests
{
    [Fact]
    public void The_embedded_reference_conf_is_the_file_in_the_hocon_folder()
    {
        Assert.Equal(File.ReadAllText(TestData.Path("hocon", "reference.conf")), ConfigFactory.ReferenceText);
    }

    [Fact]
    public void Every_setting_in_reference_conf_has_a_comment_on_the_line_above()
    {
        var lines = ConfigFactory.ReferenceText.Split('\n');
        var uncommented = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var isSetting = line.Contains('=', StringComparison.Ordinal) && !line.StartsWith('#');
            if (isSetting && !lines[i - 1].Trim().StartsWith('#'))
            {
                uncommented.Add($"line {i + 1}: {line}");
            }
        }
        Assert.Empty(uncommented);
    }

    [Fact]
    public void Typed_settings_read_every_default()
    {
        var result = ActorVisorSettings.FromConfig(ConfigFactory.Default());
        Assert.True(result.IsSuccess, result.ErrorText);
        var s = result.Value!;
        Assert.Equal(new MachineSettings(2, 2L << 30), s.Machine);
        Assert.Equal(new TimeSettings(TimeMode.Deterministic, 1, 1), s.Time);
        Assert.Equal(SchedulerKind.RoundRobin, s.Scheduler.Kind);
        Assert.Equal(10_000_000L, s.Scheduler.TimesliceNs);
        Assert.Equal(new CreditSettings(256, 0, 30_000_000L), s.Scheduler.Credit);
        Assert.Equal(PersistenceProvider.Sqlite, s.Persistence.Provider);
        Assert.Equal(new MetricsSettings(true, 1_000_000_000L), s.Metrics);
    }

    [Fact]
    public void Every_leaf_of_reference_conf_is_read_by_the_typed_settings()
    {
        // Changing any leaf must change the typed settings: a knob nobody reads is a dead knob.
        var baseline = ActorVisorSettings.FromConfig(ConfigFactory.Default()).Value!;
        // The akka { } section is Akka.NET's, handed to it as written (AkkaSectionTests covers it).
        foreach (var path in Leaves(ConfigFactory.Default().Root, ConfigPath.Root).Where(p => !p.ToString().StartsWith("akka.", StringComparison.Ordinal)))
        {
            var current = ConfigFactory.Default().GetValue(path.ToString())!;
            var changed = current switch
            {
                HoconScalar { Kind: HoconScalarKind.Boolean } b => b.Text == "true" ? "false" : "true",
                HoconScalar { Kind: HoconScalarKind.Number } n => n.Text == "1" ? "3" : "1",
                HoconScalar s when s.Text.EndsWith("ms", StringComparison.Ordinal) => "7ms",
                HoconScalar s when s.Text.EndsWith('s') => "7s",
                HoconScalar s when s.Text.EndsWith('M') || s.Text.EndsWith('G') => "3M",
                _ => null,
            };
            var alternative = Alternatives.GetValueOrDefault(path.ToString(), changed ?? "\"changed\"");
            var config = ConfigFactory.LoadString($"{path} = {alternative}", "t.conf", _ => null);
            var result = ActorVisorSettings.FromConfig(config);
            Assert.True(result.IsSuccess, $"{path} = {alternative}: {result.ErrorText}");
            Assert.NotEqual(baseline, result.Value);
        }
    }

    private static readonly Dictionary<string, string> Alternatives = new(StringComparer.Ordinal)
    {
        ["actorvisor.time.mode"] = "parallel",
        ["actorvisor.scheduler.kind"] = "credit",
        ["actorvisor.domain-defaults.on-poweroff"] = "preserve",
        ["actorvisor.domain-defaults.on-reboot"] = "destroy",
        ["actorvisor.domain-defaults.on-crash"] = "restart",
        ["actorvisor.persistence.provider"] = "postgresql",
    };

    private static IEnumerable<ConfigPath> Leaves(HoconObject obj, ConfigPath path)
    {
        foreach (var pair in obj.Fields)
        {
            if (pair.Value is HoconObject nested)
            {
                foreach (var leaf in Leaves(nested, path.Append(pair.Key)))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path.Append(pair.Key);
            }
        }
    }

    [Fact]
    public void A_setting_reference_conf_does_not_define_is_reported_with_the_nearest_one()
    {
        var config = ConfigFactory.LoadString("actorvisor.scheduler.timeslise = 5ms", "t.conf", _ => null);
        var error = Assert.Single(ActorVisorSettings.FromConfig(config).Errors);
        Assert.Equal("t.conf:1:1: actorvisor.scheduler.timeslise: expected a setting defined in reference.conf, found \"timeslise\" (did you mean timeslice?)", error.ToString());
    }

    [Theory]
    [InlineData("actorvisor.logging.level = debug", "actorvisor.logging", "akka.loglevel")]
    [InlineData("actorvisor { actor { dispatcher-throughput = 5 } }", "actorvisor.actor", "akka.actor.default-dispatcher.throughput")]
    public void A_removed_section_is_reported_where_it_is_written_with_the_akka_setting_that_replaced_it(string text, string path, string replacement)
    {
        var config = ConfigFactory.LoadString(text, "t.conf", _ => null);

        var error = Assert.Single(ActorVisorSettings.FromConfig(config).Errors);

        Assert.Equal(path, error.Path);
        Assert.Equal(1, error.Origin.Line);
        Assert.Contains(replacement, error.Hint, StringComparison.Ordinal);
    }
}
