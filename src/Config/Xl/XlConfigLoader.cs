using ActorVisor.Config.Domain;
using ActorVisor.Config.Hocon;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Schema;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Xl;

/// <summary>
/// Turns an xl.cfg file into the same <see cref="DomainSpec"/> a scenario produces. memory and
/// maxmem are MiB as in xl; missing settings take actorvisor.domain-defaults from reference.conf.
/// A setting xl knows but ActorVisor does not use becomes a warning; an unknown setting close to
/// a supported one (memroy) is an error with the suggestion, since ignoring a typo silently would
/// start a different domain than the user meant.
/// </summary>
public static class XlConfigLoader
{
    private const long MiB = 1024 * 1024;

    private static readonly string[] Supported =
        ["name", "type", "builder", "kernel", "ramdisk", "cmdline", "root", "extra", "memory", "maxmem", "vcpus", "maxvcpus", "cpu_weight", "cap", "disk", "vif", "on_poweroff", "on_reboot", "on_crash", "bootloader"];

    /// <summary>
    /// Loads an xl.cfg file. With <paramref name="checkDiskImages"/>, every disk's image must also
    /// exist as a raw image (relative to the file's directory), as it must before the domain starts.
    /// </summary>
    public static ConfigResult<XlDomainConfig> LoadFile(string path, DomainDefaults? defaults = null, bool checkDiskImages = false)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ConfigResult<XlDomainConfig>.Fail(new ConfigError(new ConfigOrigin(path, 0, 0), "", "a readable xl.cfg file", e.Message));
        }
        return LoadString(text, path, defaults, checkDiskImages ? Path.GetDirectoryName(Path.GetFullPath(path)) : null);
    }

    /// <summary>The settings of an xl.cfg file as written (memory in MiB, specs as strings), for display.</summary>
    public static ConfigResult<Config> ReadSettings(string path)
    {
        try
        {
            return ConfigResult<Config>.Ok(new Config(XlConfigParser.Parse(File.ReadAllText(path), path), ConfigPath.Root));
        }
        catch (ConfigException e)
        {
            return ConfigResult<Config>.Fail(e.Error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ConfigResult<Config>.Fail(new ConfigError(new ConfigOrigin(path, 0, 0), "", "a readable xl.cfg file", e.Message));
        }
    }

    /// <summary>Loads xl.cfg text; a non-null <paramref name="diskImageDirectory"/> checks disk images relative to it.</summary>
    public static ConfigResult<XlDomainConfig> LoadString(string text, string originName = "<xl.cfg>", DomainDefaults? defaults = null, string? diskImageDirectory = null)
    {
        HoconObject root;
        try
        {
            root = XlConfigParser.Parse(text, originName);
        }
        catch (ConfigException e)
        {
            return ConfigResult<XlDomainConfig>.Fail(e.Error);
        }
        defaults ??= ActorVisorSettings.FromConfig(ConfigFactory.Default()).Value!.DomainDefaults;
        var config = new Config(root, ConfigPath.Root);
        var reader = new SchemaReader { DiskImageDirectory = diskImageDirectory };
        var warnings = new List<ConfigError>();
        foreach (var key in config.Keys)
        {
            if (Supported.Contains(key))
            {
                continue;
            }
            var origin = root.KeyOriginOf(key);
            var nearest = Suggestions.Nearest(key, Supported);
            if (nearest is not null)
            {
                reader.Add(new ConfigError(origin, key, "a setting ActorVisor supports", HoconText.Quote(key), $"did you mean {nearest}?"));
            }
            else
            {
                warnings.Add(new ConfigError(origin, key, "ignored: ActorVisor does not use this xl setting", ""));
            }
        }
        foreach (var ignored in new[] { "maxvcpus" })
        {
            if (config.HasPath(ignored))
            {
                warnings.Add(new ConfigError(config.OriginOf(ignored), ignored, "ignored: vCPU hot-plug is not supported, the domain gets vcpus", ""));
            }
        }

        var name = reader.Read(() => config.GetString("name"), "");
        var type = ReadType(config, reader);
        if (config.HasPath("bootloader"))
        {
            reader.Invalid(config, "bootloader", "kernel = \"...\" instead (ActorVisor loads the kernel itself and runs no bootloader)");
        }
        var kernel = reader.Read(() => config.GetString("kernel"), "");
        var ramdisk = config.HasPath("ramdisk") ? reader.Read(() => config.GetString("ramdisk"), "") : null;
        var cmdline = ReadCmdline(config, defaults, reader, warnings);
        var memory = config.HasPath("memory") ? Mebibytes(config, "memory", reader) : defaults.MemoryBytes;
        var maxmem = config.HasPath("maxmem") ? Mebibytes(config, "maxmem", reader) : memory;
        if (maxmem > 0 && maxmem < memory)
        {
            reader.Invalid(config, "maxmem", $"at least memory ({memory / MiB})");
        }
        var vcpus = config.HasPath("vcpus") ? reader.Read(() => config.GetInt("vcpus"), 1) : defaults.Vcpus;
        if (vcpus is < 1 or > ScenarioLoader.MaxVcpus)
        {
            reader.Invalid(config, "vcpus", $"between 1 and {ScenarioLoader.MaxVcpus} vCPUs");
        }
        var weight = config.HasPath("cpu_weight") ? reader.Read(() => config.GetInt("cpu_weight"), 1) : defaults.Weight;
        if (weight is < 1 or > 65535)
        {
            reader.Invalid(config, "cpu_weight", "a weight between 1 and 65535");
        }
        var cap = config.HasPath("cap") ? reader.Read(() => config.GetInt("cap"), 0) : defaults.CapPercent;
        if (cap < 0)
        {
            reader.Invalid(config, "cap", "a cap of 0 (none) or more percent");
        }
        var disks = ReadSpecs(
            config,
            "disk",
            reader,
            (string s, out DiskSpec d, out DiskSpecParser.Problem? p) => DiskSpecParser.TryParse(s, out d, out p),
            (disk, origin) => ScenarioLoader.CheckImage(disk, origin, "disk", reader));
        var vifs = ReadSpecs(config, "vif", reader, (string s, out VifSpec v, out DiskSpecParser.Problem? p) => VifSpecParser.TryParse(s, out v, out p));
        var onPoweroff = config.HasPath("on_poweroff") ? reader.Enum(config, "on_poweroff", LifecycleActions.Words, defaults.OnPoweroff) : defaults.OnPoweroff;
        var onReboot = config.HasPath("on_reboot") ? reader.Enum(config, "on_reboot", LifecycleActions.Words, defaults.OnReboot) : defaults.OnReboot;
        var onCrash = config.HasPath("on_crash") ? reader.Enum(config, "on_crash", LifecycleActions.Words, defaults.OnCrash) : defaults.OnCrash;

        if (reader.HasErrors)
        {
            return ConfigResult<XlDomainConfig>.Fail(reader.Errors);
        }
        var domain = new DomainSpec(name, type, kernel, ramdisk, cmdline, memory, maxmem, vcpus, new SchedulerParameters(weight, cap), disks, vifs, onPoweroff, onReboot, onCrash, root.Origin);
        return ConfigResult<XlDomainConfig>.Ok(new XlDomainConfig(domain, warnings));
    }

    private static DomainType ReadType(Config config, SchemaReader reader)
    {
        var type = DomainType.Pv;
        if (config.HasPath("type"))
        {
            type = reader.Enum(config, "type", ScenarioLoader.DomainTypes, DomainType.Pv);
            if (type != DomainType.Pv)
            {
                reader.Invalid(config, "type", "\"pv\" (ActorVisor runs paravirtualized guests only)");
            }
        }
        else if (config.HasPath("builder"))
        {
            var builder = reader.Read(() => config.GetString("builder"), "");
            if (builder is not ("generic" or "linux"))
            {
                reader.Invalid(config, "builder", "\"generic\" (a PV guest)");
            }
        }
        return type;
    }

    private static string ReadCmdline(Config config, DomainDefaults defaults, SchemaReader reader, List<ConfigError> warnings)
    {
        if (config.HasPath("cmdline"))
        {
            foreach (var legacy in new[] { "root", "extra" })
            {
                if (config.HasPath(legacy))
                {
                    warnings.Add(new ConfigError(config.OriginOf(legacy), legacy, "ignored: cmdline is set, which replaces root and extra", ""));
                }
            }
            return reader.Read(() => config.GetString("cmdline"), "");
        }
        if (!config.HasPath("root") && !config.HasPath("extra"))
        {
            return defaults.Cmdline;
        }
        var parts = new List<string>();
        if (config.HasPath("root"))
        {
            parts.Add("root=" + reader.Read(() => config.GetString("root"), ""));
        }
        if (config.HasPath("extra"))
        {
            parts.Add(reader.Read(() => config.GetString("extra"), ""));
        }
        return string.Join(' ', parts);
    }

    private static long Mebibytes(Config config, string key, SchemaReader reader)
    {
        var read = reader.Read<long?>(() => config.GetLong(key), null);
        if (read is not { } mib)
        {
            return 0;
        }
        if (mib < 1 || mib > long.MaxValue / MiB)
        {
            reader.Invalid(config, key, "a size in MiB of at least 1");
            return 0;
        }
        return mib * MiB;
    }

    private delegate bool SpecParser<T>(string spec, out T value, out DiskSpecParser.Problem? problem);

    private static List<T> ReadSpecs<T>(Config config, string key, SchemaReader reader, SpecParser<T> parse, Action<T, ConfigOrigin>? check = null)
    {
        var result = new List<T>();
        if (!config.HasPath(key))
        {
            return result;
        }
        foreach (var item in reader.Read(() => config.GetList(key), []))
        {
            if (item is not HoconScalar { Kind: HoconScalarKind.String } text)
            {
                reader.Add(new ConfigError(item.Origin, key, "a quoted spec string", item.Describe()));
                continue;
            }
            if (parse(text.Text, out var value, out var problem))
            {
                check?.Invoke(value, item.Origin);
                result.Add(value);
            }
            else
            {
                reader.Add(new ConfigError(item.Origin, key, problem!.Expected, problem.Found, problem.Hint));
            }
        }
        return result;
    }
}
