using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Schema;

/// <summary>
/// Reads a typed model out of a <see cref="Config"/> while collecting every error instead of
/// stopping at the first, so one run of a loader reports all the problems of a file. A read that
/// fails records its located error and returns a placeholder; the loader then returns the errors
/// and never the half-read model.
/// </summary>
internal sealed class SchemaReader
{
    private readonly List<ConfigError> _errors = [];

    public IReadOnlyList<ConfigError> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    /// <summary>The directory relative disk targets are checked against, or null to leave disk images unchecked.</summary>
    public string? DiskImageDirectory { get; init; }

    public void Add(ConfigError error) => _errors.Add(error);

    /// <summary>Runs a getter; a <see cref="ConfigException"/> becomes a recorded error and <paramref name="fallback"/> is returned.</summary>
    public T Read<T>(Func<T> read, T fallback)
    {
        try
        {
            return read();
        }
        catch (ConfigException e)
        {
            _errors.Add(e.Error);
            return fallback;
        }
    }

    /// <summary>Reports each key of <paramref name="obj"/> that the schema does not know, with the nearest known key.</summary>
    public void CheckKeys(Config obj, IReadOnlyCollection<string> known)
    {
        foreach (var key in obj.Keys)
        {
            if (known.Contains(key))
            {
                continue;
            }
            var path = obj.PathText(ConfigPath.RenderKey(key));
            _errors.Add(new ConfigError(obj.Root.KeyOriginOf(key), path, "a known setting", HoconText.Quote(key), Suggestions.Hint(key, known)));
        }
    }

    /// <summary>Reads a value that must be one of a closed set of words, reporting the nearest word when it is not.</summary>
    public T Enum<T>(Config obj, string key, IReadOnlyDictionary<string, T> words, T fallback)
    {
        var text = Read(() => obj.GetString(key), null as string);
        if (text is null)
        {
            return fallback;
        }
        if (words.TryGetValue(text, out var value))
        {
            return value;
        }
        _errors.Add(new ConfigError(
            obj.OriginOf(key),
            obj.PathText(key),
            "one of " + string.Join(", ", words.Keys),
            HoconText.Quote(text),
            Suggestions.Hint(text, words.Keys)));
        return fallback;
    }

    /// <summary>Records an error about the value at <paramref name="key"/>.</summary>
    public void Invalid(Config obj, string key, string expected, string? found = null, string? hint = null)
    {
        var value = obj.GetValue(key);
        _errors.Add(new ConfigError(
            value?.Origin ?? obj.Root.Origin,
            obj.PathText(key),
            expected,
            found ?? value?.Describe() ?? "nothing",
            hint));
    }
}
