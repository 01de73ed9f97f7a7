using System.Globalization;

namespace ActorVisor.Config.Hocon;

/// <summary>
/// Durations as HOCON writes them: a number, optional whitespace and a unit (<c>30ms</c>,
/// <c>10 s</c>, <c>1.5 minutes</c>). A bare number means milliseconds. Units: ns, us, ms, s, m,
/// h, d and their long forms (nanosecond(s), micro(s), microsecond(s), milli(s), millisecond(s),
/// second(s), minute(s), hour(s), day(s)).
/// </summary>
public static class DurationFormat
{
    private static readonly Dictionary<string, decimal> NanosPerUnit = Build();

    public const string Example = "a duration such as 30ms, 10 s or 1 minute";

    private static Dictionary<string, decimal> Build()
    {
        var table = new Dictionary<string, decimal>(StringComparer.Ordinal);
        Add(1m, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(1_000m, "us", "micro", "micros", "microsecond", "microseconds");
        Add(1_000_000m, "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(1_000_000_000m, "s", "second", "seconds");
        Add(60_000_000_000m, "m", "minute", "minutes");
        Add(3_600_000_000_000m, "h", "hour", "hours");
        Add(86_400_000_000_000m, "d", "day", "days");
        return table;

        void Add(decimal nanos, params string[] names)
        {
            foreach (var name in names)
            {
                table[name] = nanos;
            }
        }
    }

    /// <summary>Parses a duration into whole nanoseconds; false when the text is not a duration or does not fit.</summary>
    public static bool TryParseNanoseconds(string text, out long nanoseconds)
    {
        nanoseconds = 0;
        if (!UnitNumber.TrySplit(text, out var number, out var unit))
        {
            return false;
        }
        decimal scale;
        if (unit.Length == 0)
        {
            scale = NanosPerUnit["ms"];
        }
        else if (!NanosPerUnit.TryGetValue(unit, out scale))
        {
            return false;
        }
        try
        {
            var total = decimal.Truncate(number * scale);
            if (total > long.MaxValue || total < long.MinValue)
            {
                return false;
            }
            nanoseconds = (long)total;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (!TryParseNanoseconds(text, out var nanos))
        {
            return false;
        }
        duration = TimeSpan.FromTicks(nanos / 100);
        return true;
    }

    /// <summary>Writes a duration in the largest unit that keeps it whole, such as <c>30ms</c> or <c>2m</c>.</summary>
    public static string Format(long nanoseconds)
    {
        foreach (var (unit, scale) in new[] { ("d", 86_400_000_000_000L), ("h", 3_600_000_000_000L), ("m", 60_000_000_000L), ("s", 1_000_000_000L), ("ms", 1_000_000L), ("us", 1_000L) })
        {
            if (nanoseconds != 0 && nanoseconds % scale == 0)
            {
                return (nanoseconds / scale).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return nanoseconds.ToString(CultureInfo.InvariantCulture) + "ns";
    }
}
