using System.Text;

namespace ActorVisor.Config.Hocon;

/// <summary>
/// A path into a configuration tree: a non-empty sequence of keys. In text, keys are separated by
/// dots and a key that contains a dot (or other special characters) is written in double quotes,
/// as in <c>domains."web.1".memory</c>.
/// </summary>
public sealed class ConfigPath : IEquatable<ConfigPath>
{
    private readonly string[] _keys;

    public ConfigPath(IEnumerable<string> keys)
    {
        _keys = [.. keys];
    }

    /// <summary>A path of one key.</summary>
    public ConfigPath(string key)
    {
        _keys = [key];
    }

    private ConfigPath(string[] keys)
    {
        _keys = keys;
    }

    public static ConfigPath Root { get; } = new(Array.Empty<string>());

    public IReadOnlyList<string> Keys => _keys;

    public int Length => _keys.Length;

    public bool IsRoot => _keys.Length == 0;

    public ConfigPath Append(string key)
    {
        var keys = new string[_keys.Length + 1];
        _keys.CopyTo(keys, 0);
        keys[^1] = key;
        return new ConfigPath(keys);
    }

    public ConfigPath Append(ConfigPath other)
    {
        if (other._keys.Length == 0)
        {
            return this;
        }
        if (_keys.Length == 0)
        {
            return other;
        }
        var keys = new string[_keys.Length + other._keys.Length];
        _keys.CopyTo(keys, 0);
        other._keys.CopyTo(keys, _keys.Length);
        return new ConfigPath(keys);
    }

    public bool StartsWith(ConfigPath prefix)
    {
        if (prefix._keys.Length > _keys.Length)
        {
            return false;
        }
        for (var i = 0; i < prefix._keys.Length; i++)
        {
            if (!string.Equals(_keys[i], prefix._keys[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    public ConfigPath Skip(int count) => new(_keys[Math.Min(count, _keys.Length)..]);

    /// <summary>
    /// Parses a path expression such as <c>a.b."c.d"</c>. Returns null when the text is not a
    /// valid path (empty, an empty key such as <c>a..b</c>, or an unterminated quote).
    /// </summary>
    public static ConfigPath? TryParse(string text)
    {
        var keys = new List<string>();
        var current = new StringBuilder();
        var sawAny = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    return null;
                }
                current.Append(text, i + 1, end - i - 1);
                sawAny = true;
                i = end + 1;
            }
            else if (c == '.')
            {
                if (!sawAny)
                {
                    return null;
                }
                keys.Add(current.ToString());
                current.Clear();
                sawAny = false;
                i++;
            }
            else
            {
                current.Append(c);
                sawAny = true;
                i++;
            }
        }
        if (!sawAny)
        {
            return null;
        }
        keys.Add(current.ToString());
        return new ConfigPath(keys);
    }

    /// <summary>Parses a path written by a programmer; a malformed path is a host bug.</summary>
    public static ConfigPath Parse(string text) =>
        TryParse(text) ?? throw new ArgumentException($"'{text}' is not a valid configuration path", nameof(text));

    public override string ToString() => string.Join('.', _keys.Select(RenderKey));

    /// <summary>Renders one key, quoting it when it would not read back as the same single key.</summary>
    public static string RenderKey(string key)
    {
        if (key.Length > 0 && key.All(IsPlainKeyChar) && !key.StartsWith('-'))
        {
            return key;
        }
        return HoconText.Quote(key);
    }

    private static bool IsPlainKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_';

    public bool Equals(ConfigPath? other) => other is not null && _keys.AsSpan().SequenceEqual(other._keys);

    public override bool Equals(object? obj) => Equals(obj as ConfigPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var key in _keys)
        {
            hash.Add(key, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }
}
