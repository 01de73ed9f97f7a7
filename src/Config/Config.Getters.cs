using System.Globalization;
using ActorVisor.Config.Hocon;

namespace ActorVisor.Config;

/// <summary>Typed getters. Each converts as HOCON allows (a quoted "10" is a number, yes/no/on/off are booleans) and throws a located <see cref="ConfigException"/> otherwise.</summary>
public sealed partial class Config
{
    public string GetString(string path) => ScalarText(path, Require(path), "a string");

    public bool GetBoolean(string path)
    {
        var value = Require(path);
        var text = ScalarText(path, value, "true or false");
        return text switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Mismatch(path, value, "true or false"),
        };
    }

    public long GetLong(string path)
    {
        var value = Require(path);
        return ParseLong(path, value, ScalarText(path, value, "a whole number"));
    }

    public int GetInt(string path)
    {
        var value = Require(path);
        var number = ParseLong(path, value, ScalarText(path, value, "a whole number"));
        if (number is < int.MinValue or > int.MaxValue)
        {
            throw Mismatch(path, value, $"a whole number between {int.MinValue} and {int.MaxValue}");
        }
        return (int)number;
    }

    public double GetDouble(string path)
    {
        var value = Require(path);
        var text = ScalarText(path, value, "a number");
        if (!HoconText.IsNumber(text.Trim()) || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var result))
        {
            throw Mismatch(path, value, "a number");
        }
        return result;
    }

    /// <summary>A duration such as <c>30ms</c> or <c>10 s</c> (a bare number is milliseconds).</summary>
    public TimeSpan GetDuration(string path) => TimeSpan.FromTicks(GetDurationNanoseconds(path) / 100);

    /// <summary>The same as <see cref="GetDuration"/>, under the name Akka.NET's Config uses.</summary>
    public TimeSpan GetTimeSpan(string path) => GetDuration(path);

    /// <summary>A duration in whole nanoseconds, for virtual time that needs finer steps than <see cref="TimeSpan"/>.</summary>
    public long GetDurationNanoseconds(string path)
    {
        var value = Require(path);
        var text = ScalarText(path, value, DurationFormat.Example);
        if (!DurationFormat.TryParseNanoseconds(text, out var nanos))
        {
            throw Mismatch(path, value, DurationFormat.Example);
        }
        return nanos;
    }

    /// <summary>A size in bytes such as <c>128M</c> (mebibytes), <c>1 GB</c> (10^9) or <c>512KiB</c>; a bare number is bytes.</summary>
    public long GetByteSize(string path)
    {
        var value = Require(path);
        var text = ScalarText(path, value, ByteSizeFormat.Example);
        if (!ByteSizeFormat.TryParse(text, out var bytes))
        {
            throw Mismatch(path, value, ByteSizeFormat.Example);
        }
        return bytes;
    }

    /// <summary>The object at a path as a configuration of its own; its errors still name full paths.</summary>
    public Config GetConfig(string path)
    {
        var value = Require(path);
        if (value is not HoconObject obj)
        {
            throw Mismatch(path, value, "an object");
        }
        return new Config(obj, _prefix.Append(ConfigPath.Parse(path)), FullPath(path));
    }

    public IReadOnlyList<HoconValue> GetList(string path)
    {
        var value = Require(path);
        if (value is not HoconArray array)
        {
            throw Mismatch(path, value, "a list such as [a, b]");
        }
        return array.Items;
    }

    public IReadOnlyList<string> GetStringList(string path) =>
        GetList(path).Select((item, i) => ScalarText($"{path}[{i}]", item, "a string")).ToList();

    public IReadOnlyList<int> GetIntList(string path) =>
        GetList(path).Select((item, i) =>
        {
            var number = ParseLong($"{path}[{i}]", item, ScalarText($"{path}[{i}]", item, "a whole number"));
            return number is < int.MinValue or > int.MaxValue ? throw Mismatch($"{path}[{i}]", item, "a whole number that fits in 32 bits") : (int)number;
        }).ToList();

    public IReadOnlyList<long> GetLongList(string path) =>
        GetList(path).Select((item, i) => ParseLong($"{path}[{i}]", item, ScalarText($"{path}[{i}]", item, "a whole number"))).ToList();

    public IReadOnlyList<bool> GetBooleanList(string path) =>
        GetList(path).Select((item, i) => ScalarText($"{path}[{i}]", item, "true or false") switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Mismatch($"{path}[{i}]", item, "true or false"),
        }).ToList();

    public IReadOnlyList<TimeSpan> GetDurationList(string path) =>
        GetList(path).Select((item, i) =>
            DurationFormat.TryParse(ScalarText($"{path}[{i}]", item, DurationFormat.Example), out var d) ? d : throw Mismatch($"{path}[{i}]", item, DurationFormat.Example)).ToList();

    public IReadOnlyList<long> GetByteSizeList(string path) =>
        GetList(path).Select((item, i) =>
            ByteSizeFormat.TryParse(ScalarText($"{path}[{i}]", item, ByteSizeFormat.Example), out var b) ? b : throw Mismatch($"{path}[{i}]", item, ByteSizeFormat.Example)).ToList();

    /// <summary>A list of objects, each as a configuration (for lists such as a scenario's timeline).</summary>
    public IReadOnlyList<Config> GetConfigList(string path) =>
        GetList(path).Select((item, i) => item is HoconObject obj
            ? new Config(obj, _prefix.Append(ConfigPath.Parse(path)), $"{FullPath(path)}[{i}]")
            : throw Mismatch($"{path}[{i}]", item, "an object")).ToList();

    private HoconValue Require(string path)
    {
        var value = Find(path);
        if (value is null || value is HoconScalar { Kind: HoconScalarKind.Null })
        {
            var found = value is null ? "nothing (the setting is missing)" : "null";
            throw new ConfigException(new ConfigError(value?.Origin ?? _root.Origin, FullPath(path), "a value", found));
        }
        return value;
    }

    private string ScalarText(string path, HoconValue value, string expected) =>
        value is HoconScalar scalar && scalar.Kind != HoconScalarKind.Null ? scalar.Text : throw Mismatch(path, value, expected);

    private long ParseLong(string path, HoconValue value, string text)
    {
        var trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }
        if (HoconText.IsNumber(trimmed) && decimal.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d) && d >= long.MinValue && d <= long.MaxValue)
        {
            return (long)d;
        }
        throw Mismatch(path, value, "a whole number");
    }

    private ConfigException Mismatch(string path, HoconValue value, string expected) =>
        new(new ConfigError(value.Origin, FullPath(path), expected, value.Describe()));
}
