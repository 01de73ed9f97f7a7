using ActorVisor.Config.Domain;
using ActorVisor.Config.Hocon;
using ActorVisor.Config.Schema;
using ActorVisor.Config.Settings;

namespace ActorVisor.Config.Scenario;

/// <summary>The <c>domains</c> section: one object per domain, its key being the domain's name.</summary>
public static partial class ScenarioLoader
{
    private static readonly string[] DomainKeys =
        ["type", "kernel", "ramdisk", "cmdline", "memory", "maxmem", "vcpus", "weight", "cap", "disks", "vifs", "on-poweroff", "on-reboot", "on-crash"];

    private static readonly string[] DiskKeys = ["target", "format", "vdev", "access", "devtype", "backend"];
    private static readonly string[] VifKeys = ["mac", "bridge", "ip", "backend", "vifname", "model", "rate", "script"];

    internal static readonly Dictionary<string, DomainType> DomainTypes = new(StringComparer.Ordinal)
    {
        ["pv"] = DomainType.Pv,
        ["pvh"] = DomainType.Pvh,
        ["hvm"] = DomainType.Hvm,
    };

    /// <summary>The largest vCPU count a domain may have.</summary>
    public const int MaxVcpus = 128;

    private static List<DomainSpec> ReadDomains(Config s, ActorVisorSettings settings, IReadOnlyList<IopmSpec> iopms, SchemaReader reader)
    {
        var result = new List<DomainSpec>();
        if (!s.HasPath("domains"))
        {
            reader.Add(new ConfigError(s.Root.Origin, s.PathText("domains"), "a domains { ... } section with at least one domain", "nothing"));
            return result;
        }
        var domains = reader.Read(() => s.GetConfig("domains"), Config.Empty);
        if (domains.IsEmpty && !reader.HasErrors)
        {
            reader.Invalid(s, "domains", "at least one domain");
        }
        foreach (var name in domains.Keys)
        {
            var d = reader.Read(() => domains.GetConfig(ConfigPath.RenderKey(name)), Config.Empty);
            if (!d.IsEmpty || domains.GetValue(ConfigPath.RenderKey(name)) is HoconObject)
            {
                result.Add(ReadDomain(name, d, settings.DomainDefaults, iopms, reader));
            }
        }
        return result;
    }

    private static DomainSpec ReadDomain(string name, Config d, DomainDefaults defaults, IReadOnlyList<IopmSpec> iopms, SchemaReader reader)
    {
        reader.CheckKeys(d, DomainKeys);
        var type = d.HasPath("type") ? reader.Enum(d, "type", DomainTypes, DomainType.Pv) : DomainType.Pv;
        if (type != DomainType.Pv)
        {
            reader.Invalid(d, "type", "pv (ActorVisor runs paravirtualized guests only)");
        }
        var kernel = reader.Read(() => d.GetString("kernel"), "");
        var ramdisk = d.HasPath("ramdisk") ? reader.Read(() => d.GetString("ramdisk"), "") : null;
        var cmdline = d.HasPath("cmdline") ? reader.Read(() => d.GetString("cmdline"), "") : defaults.Cmdline;
        var memory = d.HasPath("memory") ? reader.Read(() => d.GetByteSize("memory"), 0) : defaults.MemoryBytes;
        if (d.HasPath("memory") && memory is > 0 and < 1024 * 1024)
        {
            reader.Invalid(d, "memory", "at least 1M of guest memory");
        }
        var maxmem = d.HasPath("maxmem") ? reader.Read(() => d.GetByteSize("maxmem"), 0) : memory;
        if (d.HasPath("maxmem") && maxmem > 0 && maxmem < memory)
        {
            reader.Invalid(d, "maxmem", "at least the domain's memory (" + memory + " bytes)");
        }
        var vcpus = d.HasPath("vcpus") ? reader.Read(() => d.GetInt("vcpus"), 1) : defaults.Vcpus;
        if (vcpus is < 1 or > MaxVcpus)
        {
            reader.Invalid(d, "vcpus", $"between 1 and {MaxVcpus} vCPUs");
        }
        var weight = d.HasPath("weight") ? reader.Read(() => d.GetInt("weight"), 1) : defaults.Weight;
        if (weight is < 1 or > 65535)
        {
            reader.Invalid(d, "weight", "a weight between 1 and 65535");
        }
        var cap = d.HasPath("cap") ? reader.Read(() => d.GetInt("cap"), 0) : defaults.CapPercent;
        if (cap < 0)
        {
            reader.Invalid(d, "cap", "a cap of 0 (none) or more percent");
        }
        var disks = ReadDisks(d, iopms, reader);
        var vifs = ReadVifs(d, iopms, reader);
        var onPoweroff = d.HasPath("on-poweroff") ? reader.Enum(d, "on-poweroff", LifecycleActions.Words, defaults.OnPoweroff) : defaults.OnPoweroff;
        var onReboot = d.HasPath("on-reboot") ? reader.Enum(d, "on-reboot", LifecycleActions.Words, defaults.OnReboot) : defaults.OnReboot;
        var onCrash = d.HasPath("on-crash") ? reader.Enum(d, "on-crash", LifecycleActions.Words, defaults.OnCrash) : defaults.OnCrash;
        return new DomainSpec(name, type, kernel, ramdisk, cmdline, memory, maxmem, vcpus, new SchedulerParameters(weight, cap), disks, vifs, onPoweroff, onReboot, onCrash, d.Root.Origin);
    }

    private static List<DiskSpec> ReadDisks(Config d, IReadOnlyList<IopmSpec> iopms, SchemaReader reader)
    {
        var disks = new List<DiskSpec>();
        if (!d.HasPath("disks"))
        {
            return disks;
        }
        var items = reader.Read(() => d.GetList("disks"), []);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var path = $"{d.PathText("disks")}[{i}]";
            DiskSpec? disk = null;
            if (item is HoconScalar { Kind: HoconScalarKind.String } text)
            {
                if (DiskSpecParser.TryParse(text.Text, out var parsed, out var problem))
                {
                    disk = parsed;
                }
                else
                {
                    reader.Add(new ConfigError(item.Origin, path, problem!.Expected, problem.Found, problem.Hint));
                }
            }
            else if (item is HoconObject obj)
            {
                var config = new Config(obj, d.PathInDocument.Append("disks"), path);
                reader.CheckKeys(config, DiskKeys);
                // An object is the named form of the same spec, so it goes through the same parser.
                var spec = string.Join(", ", DiskKeys.Where(k => k != "target" && config.HasPath(k)).Select(k => k + "=" + reader.Read(() => config.GetString(k), "")));
                var target = config.HasPath("target") ? reader.Read(() => config.GetString("target"), "") : "";
                spec = spec.Length == 0 ? "target=" + target : spec + ", target=" + target;
                if (DiskSpecParser.TryParse(spec, out var parsed, out var problem))
                {
                    disk = parsed;
                }
                else
                {
                    reader.Add(new ConfigError(item.Origin, path, problem!.Expected, problem.Found, problem.Hint));
                }
            }
            else
            {
                reader.Add(new ConfigError(item.Origin, path, "a disk as a spec string ('format=raw, vdev=xvda, target=disk.img') or an object", item.Describe()));
            }
            if (disk is null)
            {
                continue;
            }
            if (disks.Exists(existing => existing.Vdev == disk.Vdev))
            {
                reader.Add(new ConfigError(item.Origin, path, "a different vdev for each disk", HoconText.Quote(disk.Vdev) + " used twice"));
            }
            CheckBackend(disk.Backend, BackendKind.Block, iopms, item.Origin, path, reader);
            CheckImage(disk, item.Origin, path, reader);
            disks.Add(disk);
        }
        return disks;
    }

    private static List<VifSpec> ReadVifs(Config d, IReadOnlyList<IopmSpec> iopms, SchemaReader reader)
    {
        var vifs = new List<VifSpec>();
        if (!d.HasPath("vifs"))
        {
            return vifs;
        }
        var items = reader.Read(() => d.GetList("vifs"), []);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var path = $"{d.PathText("vifs")}[{i}]";
            string? spec = null;
            if (item is HoconScalar { Kind: HoconScalarKind.String } text)
            {
                spec = text.Text;
            }
            else if (item is HoconObject obj)
            {
                var config = new Config(obj, d.PathInDocument.Append("vifs"), path);
                reader.CheckKeys(config, VifKeys);
                spec = string.Join(", ", VifKeys.Where(config.HasPath).Select(k => k + "=" + reader.Read(() => config.GetString(k), "")));
            }
            else
            {
                reader.Add(new ConfigError(item.Origin, path, "a network interface as a spec string ('mac=..., bridge=...') or an object", item.Describe()));
                continue;
            }
            if (!VifSpecParser.TryParse(spec, out var vif, out var problem))
            {
                reader.Add(new ConfigError(item.Origin, path, problem!.Expected, problem.Found, problem.Hint));
                continue;
            }
            CheckBackend(vif.Backend, BackendKind.Net, iopms, item.Origin, path, reader);
            vifs.Add(vif);
        }
        return vifs;
    }

    /// <summary>With disk checking on, a disk whose image the block back-end could not open is an error at the disk.</summary>
    internal static void CheckImage(DiskSpec disk, ConfigOrigin origin, string path, SchemaReader reader)
    {
        if (reader.DiskImageDirectory is { } directory && DiskImageCheck.Check(disk, directory) is { } problem)
        {
            reader.Add(new ConfigError(origin, path, problem.Expected, problem.Found, problem.Hint));
        }
    }

    private static void CheckBackend(string? backend, BackendKind kind, IReadOnlyList<IopmSpec> iopms, ConfigOrigin origin, string path, SchemaReader reader)
    {
        if (backend is null)
        {
            return;
        }
        var iopm = iopms.FirstOrDefault(i => i.Name == backend);
        if (iopm is null)
        {
            reader.Add(new ConfigError(origin, path, "a backend that names an IOPM of this scenario", HoconText.Quote(backend), Suggestions.Hint(backend, iopms.Select(i => i.Name))));
        }
        else if (!iopm.Backends.Contains(kind))
        {
            reader.Add(new ConfigError(origin, path, $"an IOPM that serves {kind.ToString().ToLowerInvariant()} backends", $"IOPM {HoconText.Quote(backend)}, which serves {string.Join(", ", iopm.Backends).ToLowerInvariant()}"));
        }
    }

    private static void CheckMemoryFits(Config s, ActorVisorSettings settings, IReadOnlyList<DomainSpec> domains, SchemaReader reader)
    {
        var total = domains.Sum(d => d.MemoryBytes);
        if (settings.Machine.MemoryBytes > 0 && total > settings.Machine.MemoryBytes)
        {
            reader.Add(new ConfigError(
                s.OriginOf("domains"),
                s.PathText("domains"),
                $"domains whose memory fits in actorvisor.machine.memory ({settings.Machine.MemoryBytes} bytes)",
                $"{total} bytes in total"));
        }
    }
}
