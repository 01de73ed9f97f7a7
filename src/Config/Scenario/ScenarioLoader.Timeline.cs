using ActorVisor.Config.Hocon;
using ActorVisor.Config.Schema;

namespace ActorVisor.Config.Scenario;

/// <summary>The <c>timeline</c> and <c>checks</c> lists: what happens when, and what must hold.</summary>
public static partial class ScenarioLoader
{
    private static readonly Dictionary<string, string[]> ActionKeys = new(StringComparer.Ordinal)
    {
        ["start"] = ["at", "action", "domain"],
        ["pause"] = ["at", "action", "domain"],
        ["unpause"] = ["at", "action", "domain"],
        ["destroy"] = ["at", "action", "domain"],
        ["shutdown"] = ["at", "action", "domain"],
        ["reboot"] = ["at", "action", "domain"],
        ["save"] = ["at", "action", "domain", "snapshot"],
        ["restore"] = ["at", "action", "domain", "snapshot"],
        ["migrate"] = ["at", "action", "domain", "to"],
        ["inject-fault"] = ["at", "action", "domain", "iopm", "device", "fault"],
        ["inject"] = ["at", "action", "fault"],
    };

    private static readonly Dictionary<string, FaultKind> FaultWords = new(StringComparer.Ordinal)
    {
        ["crash"] = FaultKind.Crash,
        ["hang"] = FaultKind.Hang,
        ["host-exception"] = FaultKind.HostException,
    };

    private static readonly Dictionary<string, string[]> CheckKeys = new(StringComparer.Ordinal)
    {
        ["console"] = ["type", "domain", "contains", "within"],
        ["state"] = ["type", "domain", "state", "at"],
        ["no-io-lost"] = ["type", "domain"],
    };

    private static readonly Dictionary<string, ExpectedDomainState> StateWords = new(StringComparer.Ordinal)
    {
        ["running"] = ExpectedDomainState.Running,
        ["paused"] = ExpectedDomainState.Paused,
        ["shutdown"] = ExpectedDomainState.Shutdown,
        ["crashed"] = ExpectedDomainState.Crashed,
        ["destroyed"] = ExpectedDomainState.Destroyed,
    };

    private static List<TimelineAction> ReadTimeline(Config s, IReadOnlyList<string> domains, IReadOnlyList<string> iopms, long stopAtNs, SchemaReader reader)
    {
        var actions = new List<TimelineAction>();
        if (!s.HasPath("timeline"))
        {
            return actions;
        }
        var actionNames = ActionKeys.Keys.ToDictionary(k => k, k => k, StringComparer.Ordinal);
        foreach (var entry in ReadObjectList(s, "timeline", reader))
        {
            var action = reader.Enum(entry, "action", actionNames, "");
            if (action.Length == 0)
            {
                continue;
            }
            reader.CheckKeys(entry, ActionKeys[action]);
            var at = reader.Read(() => entry.GetDurationNanoseconds("at"), 0);
            if (at < 0 || (stopAtNs > 0 && at > stopAtNs))
            {
                reader.Invalid(entry, "at", $"a time between 0 and the scenario's stop-at ({DurationFormat.Format(stopAtNs)})");
            }
            var origin = entry.Root.Origin;
            if (action == "inject")
            {
                var text = entry.GetValue("fault");
                if (text is not HoconScalar { Kind: HoconScalarKind.String } spec)
                {
                    reader.Invalid(entry, "fault", "a fault rule as a string, such as \"storage crash\" or \"storage/vbd-* hang\"");
                    continue;
                }

                if (ReadRule(spec.Text, spec.Origin, entry.PathText("fault"), "rule", at, iopms, reader) is { } rule)
                {
                    actions.Add(new InjectRule(at, origin, rule));
                }

                continue;
            }

            if (action == "inject-fault")
            {
                actions.Add(ReadFault(entry, at, domains, iopms, reader));
                continue;
            }
            var domain = DomainReference(entry, "domain", domains, reader);
            actions.Add(action switch
            {
                "start" => new StartDomain(at, origin, domain),
                "pause" => new PauseDomain(at, origin, domain),
                "unpause" => new UnpauseDomain(at, origin, domain),
                "destroy" => new DestroyDomain(at, origin, domain),
                "shutdown" => new ShutdownDomain(at, origin, domain, Reboot: false),
                "reboot" => new ShutdownDomain(at, origin, domain, Reboot: true),
                "save" => new SaveDomain(at, origin, domain, reader.Read(() => entry.GetString("snapshot"), "")),
                "restore" => new RestoreDomain(at, origin, domain, reader.Read(() => entry.GetString("snapshot"), "")),
                "migrate" => new MigrateDomain(at, origin, domain, reader.Read(() => entry.GetString("to"), "")),
                _ => throw new InvalidOperationException($"action '{action}' is in ActionKeys but not handled"),
            });
        }
        // Stable: actions at the same virtual time keep their file order.
        return actions.OrderBy(a => a.AtNs).ToList();
    }

    private static InjectFault ReadFault(Config entry, long at, IReadOnlyList<string> domains, IReadOnlyList<string> iopms, SchemaReader reader)
    {
        var kind = reader.Enum(entry, "fault", FaultWords, FaultKind.Crash);
        var hasIopm = entry.HasPath("iopm");
        var hasDomain = entry.HasPath("domain");
        if (hasIopm == hasDomain)
        {
            reader.Add(new ConfigError(entry.Root.Origin, entry.PathText(), "exactly one of iopm = NAME (an IOPM fault) or domain = NAME (a guest fault, or with device = DEV a backend fault)", hasIopm ? "both" : "neither"));
            return new InjectFault(at, entry.Root.Origin, FaultTarget.Guest, "", null, kind);
        }
        if (hasIopm)
        {
            if (entry.HasPath("device"))
            {
                reader.Invalid(entry, "device", "no device for an IOPM fault (use domain and device for a backend fault)");
            }
            return new InjectFault(at, entry.Root.Origin, FaultTarget.Iopm, NameReference(entry, "iopm", iopms, "an IOPM of this scenario", reader), null, kind);
        }
        var domain = DomainReference(entry, "domain", domains, reader);
        var device = entry.HasPath("device") ? reader.Read(() => entry.GetString("device"), "") : null;
        return new InjectFault(at, entry.Root.Origin, device is null ? FaultTarget.Guest : FaultTarget.Backend, domain, device, kind);
    }

    private static List<ScenarioCheck> ReadChecks(Config s, IReadOnlyList<string> domains, SchemaReader reader)
    {
        var checks = new List<ScenarioCheck>();
        if (!s.HasPath("checks"))
        {
            return checks;
        }
        var typeNames = CheckKeys.Keys.ToDictionary(k => k, k => k, StringComparer.Ordinal);
        foreach (var entry in ReadObjectList(s, "checks", reader))
        {
            var type = reader.Enum(entry, "type", typeNames, "");
            if (type.Length == 0)
            {
                continue;
            }
            reader.CheckKeys(entry, CheckKeys[type]);
            var origin = entry.Root.Origin;
            switch (type)
            {
                case "console":
                    checks.Add(new ConsoleLineCheck(
                        origin,
                        DomainReference(entry, "domain", domains, reader),
                        reader.Read(() => entry.GetString("contains"), ""),
                        reader.Read(() => entry.GetDurationNanoseconds("within"), 0)));
                    break;
                case "state":
                    checks.Add(new DomainStateCheck(
                        origin,
                        DomainReference(entry, "domain", domains, reader),
                        reader.Enum(entry, "state", StateWords, ExpectedDomainState.Running),
                        entry.HasPath("at") ? reader.Read(() => entry.GetDurationNanoseconds("at"), 0) : null));
                    break;
                default:
                    checks.Add(new NoIoLostCheck(origin, entry.HasPath("domain") ? DomainReference(entry, "domain", domains, reader) : null));
                    break;
            }
        }
        return checks;
    }

    private static List<Config> ReadObjectList(Config s, string key, SchemaReader reader)
    {
        var list = new List<Config>();
        var items = reader.Read(() => s.GetList(key), []);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var itemPath = $"{s.PathText(key)}[{i}]";
            if (item is HoconObject obj)
            {
                list.Add(new Config(obj, s.PathInDocument.Append(key), itemPath));
            }
            else
            {
                reader.Add(new ConfigError(item.Origin, itemPath, "an object such as { at = 1s, action = start, domain = web }", item.Describe()));
            }
        }
        return list;
    }

    private static string DomainReference(Config entry, string key, IReadOnlyList<string> domains, SchemaReader reader) =>
        NameReference(entry, key, domains, "a domain of this scenario", reader);

    private static string NameReference(Config entry, string key, IReadOnlyList<string> names, string expected, SchemaReader reader)
    {
        var name = reader.Read(() => entry.GetString(key), "");
        if (name.Length > 0 && !names.Contains(name))
        {
            reader.Invalid(entry, key, expected + (names.Count > 0 ? " (" + string.Join(", ", names) + ")" : ""), HoconText.Quote(name), Suggestions.Hint(name, names));
        }
        return name;
    }
}
