using ActorVisor.Config.Domain;
using ActorVisor.Config.Hocon;
using ActorVisor.Config.Schema;

namespace ActorVisor.Config.Settings;

/// <summary>
/// The typed form of the <c>actorvisor</c> section. Every default comes from reference.conf: read
/// a file with <see cref="ConfigFactory.Load(string, Func{string, string?})"/> (or pass
/// <see cref="ConfigFactory.Default"/>) and every key below is present. A key under
/// <c>actorvisor</c> that reference.conf does not define is reported with the nearest known key.
/// </summary>
public sealed record ActorVisorSettings(
    MachineSettings Machine,
    TimeSettings Time,
    SchedulerSettings Scheduler,
    DomainDefaults DomainDefaults,
    IopmSettings Iopm,
    PersistenceSettings Persistence,
    MetricsSettings Metrics)
{
    private static readonly Dictionary<string, TimeMode> TimeModes = new(StringComparer.Ordinal) { ["deterministic"] = TimeMode.Deterministic, ["parallel"] = TimeMode.Parallel };
    private static readonly Dictionary<string, SchedulerKind> SchedulerKinds = new(StringComparer.Ordinal) { ["round-robin"] = SchedulerKind.RoundRobin, ["credit"] = SchedulerKind.Credit, ["bvt"] = SchedulerKind.Bvt };
    private static readonly Dictionary<string, PersistenceProvider> Providers = new(StringComparer.Ordinal) { ["sqlite"] = PersistenceProvider.Sqlite, ["postgresql"] = PersistenceProvider.PostgreSql };

    /// <summary>Sections that existed once and moved to Akka's own settings, with where to set them now.</summary>
    private static readonly Dictionary<string, string> Removed = new(StringComparer.Ordinal)
    {
        ["logging"] = "removed: set akka.loglevel and akka.stdout-loglevel, and akka.loggers for where lines go",
        ["actor"] = "removed: dispatchers and mailboxes are Akka's, set under akka.actor (akka.actor.default-dispatcher.throughput)",
    };

    /// <summary>The settings of a configuration that already has reference.conf underneath it.</summary>
    public static ConfigResult<ActorVisorSettings> FromConfig(Config config)
    {
        var reader = new SchemaReader();
        var settings = Read(config, reader);
        return reader.HasErrors ? ConfigResult<ActorVisorSettings>.Fail(reader.Errors) : ConfigResult<ActorVisorSettings>.Ok(settings);
    }

    internal static ActorVisorSettings Read(Config config, SchemaReader reader)
    {
        CheckAgainstReference(config, reader);
        AkkaSection.Validate(config, reader);
        var a = reader.Read(() => config.GetConfig("actorvisor"), Config.Empty);
        if (a.IsEmpty)
        {
            a = ConfigFactory.Default().GetConfig("actorvisor");
        }
        var machine = new MachineSettings(
            Positive(a, reader, "machine.physical-cpus"),
            reader.Read(() => a.GetByteSize("machine.memory"), 0));
        var time = new TimeSettings(
            reader.Enum(a, "time.mode", TimeModes, TimeMode.Deterministic),
            reader.Read(() => a.GetLong("time.seed"), 0),
            reader.Read(() => a.GetLong("time.instructions-per-ns"), 1));
        var scheduler = new SchedulerSettings(
            reader.Enum(a, "scheduler.kind", SchedulerKinds, SchedulerKind.RoundRobin),
            reader.Read(() => a.GetDurationNanoseconds("scheduler.timeslice"), 0),
            new CreditSettings(
                reader.Read(() => a.GetInt("scheduler.credit.default-weight"), 0),
                reader.Read(() => a.GetInt("scheduler.credit.default-cap"), 0),
                reader.Read(() => a.GetDurationNanoseconds("scheduler.credit.accounting-period"), 0)),
            new BvtSettings(
                reader.Read(() => a.GetDurationNanoseconds("scheduler.bvt.context-switch-allowance"), 0),
                reader.Read(() => a.GetDurationNanoseconds("scheduler.bvt.default-warp"), 0)));
        var defaults = new DomainDefaults(
            reader.Read(() => a.GetByteSize("domain-defaults.memory"), 0),
            Positive(a, reader, "domain-defaults.vcpus"),
            reader.Read(() => a.GetString("domain-defaults.cmdline"), ""),
            reader.Read(() => a.GetInt("domain-defaults.weight"), 0),
            reader.Read(() => a.GetInt("domain-defaults.cap"), 0),
            reader.Enum(a, "domain-defaults.on-poweroff", LifecycleActions.Words, LifecycleAction.Destroy),
            reader.Enum(a, "domain-defaults.on-reboot", LifecycleActions.Words, LifecycleAction.Restart),
            reader.Enum(a, "domain-defaults.on-crash", LifecycleActions.Words, LifecycleAction.Destroy));
        var iopm = new IopmSettings(
            reader.Read(() => a.GetInt("iopm.max-restarts"), 0),
            reader.Read(() => a.GetDurationNanoseconds("iopm.restart-window"), 0),
            reader.Read(() => a.GetDurationNanoseconds("iopm.watchdog"), 0));
        var persistence = new PersistenceSettings(
            reader.Enum(a, "persistence.provider", Providers, PersistenceProvider.Sqlite),
            reader.Read(() => a.GetString("persistence.connection-string"), ""),
            reader.Read(() => a.GetString("persistence.snapshot-directory"), ""));
        var metrics = new MetricsSettings(
            reader.Read(() => a.GetBoolean("metrics.enabled"), false),
            reader.Read(() => a.GetDurationNanoseconds("metrics.interval"), 0));
        return new ActorVisorSettings(machine, time, scheduler, defaults, iopm, persistence, metrics);
    }

    private static int Positive(Config a, SchemaReader reader, string path)
    {
        var value = reader.Read(() => a.GetInt(path), 1);
        if (value < 1)
        {
            reader.Invalid(a, path, "a whole number of at least 1");
            return 1;
        }
        return value;
    }

    /// <summary>Reports keys under <c>actorvisor</c> that reference.conf does not define.</summary>
    private static void CheckAgainstReference(Config config, SchemaReader reader)
    {
        if (config.GetValue("actorvisor") is not HoconObject actual
            || ConfigFactory.Default().GetValue("actorvisor") is not HoconObject reference)
        {
            return;
        }
        Walk(actual, reference, ConfigPath.Root.Append("actorvisor"));

        void Walk(HoconObject here, HoconObject known, ConfigPath path)
        {
            foreach (var pair in here.Fields)
            {
                if (!known.TryGetValue(pair.Key, out var knownValue))
                {
                    if (path.Length == 1 && Removed.TryGetValue(pair.Key, out var moved))
                    {
                        reader.Add(new ConfigError(here.KeyOriginOf(pair.Key), path.Append(pair.Key).ToString(), "a setting defined in reference.conf", HoconText.Quote(pair.Key), moved));
                        continue;
                    }

                    reader.Add(new ConfigError(here.KeyOriginOf(pair.Key), path.Append(pair.Key).ToString(), "a setting defined in reference.conf", HoconText.Quote(pair.Key), Suggestions.Hint(pair.Key, known.Keys)));
                }
                else if (pair.Value is HoconObject nested && knownValue is HoconObject knownNested)
                {
                    Walk(nested, knownNested, path.Append(pair.Key));
                }
            }
        }
    }
}
