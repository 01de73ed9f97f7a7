using ActorVisor.Config.Faults;
using ActorVisor.Config.Hocon;
using ActorVisor.Config.Schema;

namespace ActorVisor.Config.Scenario;

/// <summary>The <c>faults</c> list and the timeline's <c>inject</c> action: rules of the fault grammar (<see cref="FaultSpecParser"/>), written as quoted strings.</summary>
public static partial class ScenarioLoader
{
    private static List<FaultRule> ReadFaults(Config s, IReadOnlyList<string> iopms, SchemaReader reader)
    {
        var rules = new List<FaultRule>();
        if (!s.HasPath("faults"))
        {
            return rules;
        }

        var items = reader.Read(() => s.GetList("faults"), []);
        for (int i = 0; i < items.Count; i++)
        {
            string path = $"{s.PathText("faults")}[{i}]";
            if (items[i] is not HoconScalar { Kind: HoconScalarKind.String } text)
            {
                reader.Add(new ConfigError(items[i].Origin, path, "a fault rule as a string, such as \"storage/vbd-* crash every 20 requests\"", items[i].Describe()));
                continue;
            }

            if (ReadRule(text.Text, text.Origin, path, $"rule {rules.Count + 1}", null, iopms, reader) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    /// <summary>Parses one rule written at <paramref name="origin"/>; its errors land on the rule's own characters, and an IOPM pattern that names no IOPM of the scenario is refused.</summary>
    private static FaultRule? ReadRule(string text, ConfigOrigin origin, string path, string name, long? timelineAtNs, IReadOnlyList<string> iopms, SchemaReader reader)
    {
        var rule = FaultSpecParser.Parse(text, name, origin, timelineAtNs, out var error);
        bool quoted = StartsWithQuote(origin);
        if (error is not null)
        {
            reader.Add(error.At(origin, path, quoted));
            return null;
        }

        if (!iopms.Any(i => Glob.Matches(rule!.IopmPattern, i)))
        {
            int offset = text.Length - text.TrimStart().Length;
            reader.Add(new FaultSpecError(offset, "an IOPM of this scenario (" + string.Join(", ", iopms) + ")", HoconText.Quote(rule!.IopmPattern), Suggestions.Hint(rule.IopmPattern, iopms)).At(origin, path, quoted));
            return null;
        }

        return rule;
    }

    /// <summary>True when the value at <paramref name="origin"/> is written as a quoted string (its column is then the quote's); a value whose file cannot be read is taken as quoted, the documented form.</summary>
    private static bool StartsWithQuote(ConfigOrigin origin)
    {
        try
        {
            if (origin.Line <= 0 || !File.Exists(origin.File))
            {
                return true;
            }

            var line = File.ReadLines(origin.File).Skip(origin.Line - 1).FirstOrDefault();
            return line is null || origin.Column - 1 >= line.Length || line[origin.Column - 1] == '"';
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
