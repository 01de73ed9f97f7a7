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
    LoggingSettings Logging,
    MetricsSettings Metrics,
    ActorSettings Actor)
{
    private static readonly Dictionary<string, TimeMode> TimeModes = new(StringComparer.Ordinal) { ["deterministic"] = TimeMode.Deterministic, ["parallel"] = TimeMode.Parallel };
    private static readonly Dictionary<string, SchedulerKind> SchedulerKinds = new(StringComparer.Ordinal) { ["round-robin"] = SchedulerKind.RoundRobin, ["credit"] = SchedulerKind.Credit, ["bvt"] = SchedulerKind.Bvt };
    private static readonly Dictionary<string, PersistenceProvider> Providers = new(StringComparer.Ordinal) { ["sqlite"] = PersistenceProvider.Sqlite, ["postgresql"] = PersistenceProvider.PostgreSql };
    private static readonly Dictionary<string, LogLevel> Levels = new(StringComparer.Ordinal) { ["trace"] = LogLevel.Trace, ["debug"] = LogLevel.Debug, ["info"] = LogLevel.Info, ["warning"] = LogLevel.Warning, ["error"] = LogLevel.Error };
    private static readonly Dictionary<string, MailboxOverflow> Overflows = new(StringComparer.Ordinal) { ["drop-new"] = MailboxOverflow.DropNew, ["fail"] = MailboxOverflow.Fail };

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
            reader.Read(() => a.GetDurationNanoseconds("iopm.restart-window"), 0));
        var persistence = new PersistenceSettings(
            reader.Enum(a, "persistence.provider", Providers, PersistenceProvider.Sqlite),
            reader.Read(() => a.GetString("persistence.connection-string"), ""),
            reader.Read(() => a.GetString("persistence.snapshot-directory"), ""));
        var logging = new LoggingSettings(
            reader.Enum(a, "logging.level", Levels, LogLevel.Info),
            reader.Read(() => a.GetString("logging.target"), ""),
            reader.Read(() => a.GetBoolean("logging.log-messages"), false));
        var metrics = new MetricsSettings(
            reader.Read(() => a.GetBoolean("metrics.enabled"), false),
            reader.Read(() => a.GetDurationNanoseconds("metrics.interval"), 0));
        var actor = new ActorSettings(
            Positive(a, reader, "actor.dispatcher-throughput"),
            reader.Read(() => a.GetInt("actor.mailbox-capacity"), 0),
            reader.Enum(a, "actor.mailbox-overflow", Overflows, MailboxOverflow.DropNew),
            reader.Read(() => a.GetDurationNanoseconds("actor.stop-timeout"), 0));
        return new ActorVisorSettings(machine, time, scheduler, defaults, iopm, persistence, logging, metrics, actor);
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
