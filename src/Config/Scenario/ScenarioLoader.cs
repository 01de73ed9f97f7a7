using ActorVisor.Config.Faults;
using ActorVisor.Config.Hocon;
using ActorVisor.Config.Schema;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Scenario;

/// <summary>
/// Loads and validates a scenario file (schema in docs/configuration.md). The file is read over
/// reference.conf, so it may override any <c>actorvisor.*</c> setting, and every problem found is
/// returned with its file, line and column; a scenario with any error yields no model at all, so
/// nothing is started from a half-valid file.
/// </summary>
public static partial class ScenarioLoader
{
    private static readonly string[] TopLevelKeys = ["actorvisor", "akka", "scenario", "templates"];
    private static readonly string[] ScenarioKeys = ["name", "description", "seed", "stop-at", "iopms", "domains", "timeline", "checks", "faults"];

    /// <summary>
    /// Loads a scenario file. With <paramref name="checkDiskImages"/>, every disk's image must also
    /// exist as a raw image (relative to the file's directory), as it must before domains start.
    /// </summary>
    public static ConfigResult<ScenarioSpec> LoadFile(string path, Func<string, string?>? environment = null, bool checkDiskImages = false)
    {
        var loaded = ConfigFactory.TryLoad(path, environment);
        if (!loaded.IsSuccess)
        {
            return ConfigResult<ScenarioSpec>.Fail(loaded.Errors);
        }
        return FromConfig(loaded.Value!, Path.GetDirectoryName(Path.GetFullPath(path))!, checkDiskImages);
    }

    public static ConfigResult<ScenarioSpec> LoadString(string text, string originName = "<string>", string? baseDirectory = null, Func<string, string?>? environment = null, bool checkDiskImages = false)
    {
        Config config;
        try
        {
            config = ConfigFactory.LoadString(text, originName, environment);
        }
        catch (ConfigException e)
        {
            return ConfigResult<ScenarioSpec>.Fail(e.Error);
        }
        return FromConfig(config, baseDirectory ?? Directory.GetCurrentDirectory(), checkDiskImages);
    }

    /// <summary>Validates a configuration that already has reference.conf underneath it.</summary>
    public static ConfigResult<ScenarioSpec> FromConfig(Config config, string baseDirectory, bool checkDiskImages = false)
    {
        var reader = new SchemaReader { DiskImageDirectory = checkDiskImages ? baseDirectory : null };
        reader.CheckKeys(config, TopLevelKeys);
        var settings = ActorVisorSettings.Read(config, reader);
        if (!config.HasPath("scenario"))
        {
            reader.Add(new ConfigError(config.Root.Origin, "scenario", "a scenario { ... } section", "nothing"));
            return ConfigResult<ScenarioSpec>.Fail(reader.Errors);
        }
        var s = reader.Read(() => config.GetConfig("scenario"), Config.Empty);
        if (s.IsEmpty)
        {
            if (!reader.HasErrors)
            {
                reader.Add(new ConfigError(config.OriginOf("scenario"), "scenario", "a scenario with a name, stop-at and domains", "an empty object"));
            }
            return ConfigResult<ScenarioSpec>.Fail(reader.Errors);
        }
        reader.CheckKeys(s, ScenarioKeys);
        var name = reader.Read(() => s.GetString("name"), "");
        var description = s.HasPath("description") ? reader.Read(() => s.GetString("description"), "") : "";
        var seed = s.HasPath("seed") ? reader.Read(() => s.GetLong("seed"), 0) : settings.Time.Seed;
        var stopAt = reader.Read(() => s.GetDurationNanoseconds("stop-at"), 0);
        if (s.HasPath("stop-at") && stopAt <= 0 && !reader.HasErrors)
        {
            reader.Invalid(s, "stop-at", "a positive duration");
        }

        var iopms = ReadIopms(s, settings, reader);
        var domains = ReadDomains(s, settings, iopms, reader);
        CheckMemoryFits(s, settings, domains, reader);
        var domainNames = domains.Select(d => d.Name).ToList();
        // Without an iopms section the host runs one IOPM of every class under this name.
        var iopmNames = iopms.Count > 0 ? iopms.Select(i => i.Name).ToList() : [DefaultIopmName];
        var faults = ReadFaults(s, iopmNames, reader);
        var timeline = NameRules(ReadTimeline(s, domainNames, iopmNames, stopAt, reader), faults);
        var checks = ReadChecks(s, domainNames, reader);

        if (reader.HasErrors)
        {
            return ConfigResult<ScenarioSpec>.Fail(reader.Errors);
        }
        return ConfigResult<ScenarioSpec>.Ok(new ScenarioSpec(name, description, seed, stopAt, settings, iopms, domains, timeline, checks, config, baseDirectory) { Faults = faults });
    }

    /// <summary>The name of the one IOPM a scenario without an <c>iopms</c> section runs.</summary>
    public const string DefaultIopmName = "iopm0";

    /// <summary>Names the rules of the plan in order: the <c>faults</c> list's as rule 1..k, then the timeline's <c>inject</c> rules in timeline order.</summary>
    private static List<TimelineAction> NameRules(List<TimelineAction> timeline, List<FaultRule> faults)
    {
        for (int i = 0; i < faults.Count; i++)
        {
            faults[i] = faults[i] with { Name = $"rule {i + 1}" };
        }

        int next = faults.Count;
        return timeline.Select(a => a is InjectRule inject ? inject with { Rule = inject.Rule with { Name = $"rule {++next}" } } : a).ToList();
    }

    private static readonly Dictionary<string, BackendKind> BackendWords = new(StringComparer.Ordinal)
    {
        ["console"] = BackendKind.Console,
        ["block"] = BackendKind.Block,
        ["net"] = BackendKind.Net,
    };

    private static List<IopmSpec> ReadIopms(Config s, ActorVisorSettings settings, SchemaReader reader)
    {
        var result = new List<IopmSpec>();
        if (!s.HasPath("iopms"))
        {
            return result;
        }
        var iopms = reader.Read(() => s.GetConfig("iopms"), Config.Empty);
        foreach (var name in iopms.Keys)
        {
            var iopm = reader.Read(() => iopms.GetConfig(ConfigPath.RenderKey(name)), Config.Empty);
            if (iopm.IsEmpty)
            {
                continue;
            }
            reader.CheckKeys(iopm, ["backends", "max-restarts", "restart-window", "watchdog"]);
            var backends = new List<BackendKind>();
            var words = reader.Read(() => iopm.GetStringList("backends"), []);
            for (var i = 0; i < words.Count; i++)
            {
                if (BackendWords.TryGetValue(words[i], out var kind))
                {
                    backends.Add(kind);
                }
                else
                {
                    var item = iopm.GetList("backends")[i];
                    reader.Add(new ConfigError(item.Origin, $"{iopm.PathText("backends")}[{i}]", "a backend kind (console, block, net)", item.Describe(), Suggestions.Hint(words[i], BackendWords.Keys)));
                }
            }
            if (words.Count == 0 && iopm.HasPath("backends"))
            {
                reader.Invalid(iopm, "backends", "at least one backend kind (console, block, net)");
            }
            var maxRestarts = iopm.HasPath("max-restarts") ? reader.Read(() => iopm.GetInt("max-restarts"), 0) : settings.Iopm.MaxRestarts;
            var window = iopm.HasPath("restart-window") ? reader.Read(() => iopm.GetDurationNanoseconds("restart-window"), 0) : settings.Iopm.RestartWindowNs;
            var watchdog = iopm.HasPath("watchdog") ? reader.Read(() => iopm.GetDurationNanoseconds("watchdog"), 0) : settings.Iopm.WatchdogNs;
            if (watchdog < 0)
            {
                reader.Invalid(iopm, "watchdog", "a duration of 0s (off) or more");
                watchdog = 0;
            }

            result.Add(new IopmSpec(name, backends, maxRestarts, window, watchdog));
        }
        return result;
    }
}
