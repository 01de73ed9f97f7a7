using ActorVisor.Config.Hocon;

namespace ActorVisor.Config;

/// <summary>
/// A resolved configuration: an immutable view of a HOCON object tree with typed getters.
/// Paths are HOCON path expressions (<c>actorvisor.machine.memory</c>). A getter given a missing
/// path or a value of the wrong kind throws <see cref="ConfigException"/> whose error names the
/// file, line and column of the value, the full path and what was expected. Invariant: the tree
/// under a Config is never modified; <see cref="WithFallback"/> builds a new tree.
/// </summary>
public sealed partial class Config
{
    private readonly HoconObject _root;
    private readonly ConfigPath _prefix;
    private readonly string _prefixText;

    /// <param name="prefixText">How the prefix reads in errors, e.g. <c>scenario.timeline[2]</c> for an element of a list; the prefix's text by default.</param>
    internal Config(HoconObject root, ConfigPath prefix, string? prefixText = null)
    {
        if (!root.IsResolved)
        {
            throw new InvalidOperationException("a Config is built only from a resolved tree");
        }
        _root = root;
        _prefix = prefix;
        _prefixText = prefixText ?? prefix.ToString();
    }

    public static Config Empty { get; } = new(new HoconObject(ConfigOrigin.None), ConfigPath.Root);

    /// <summary>The object at the top of this configuration.</summary>
    public HoconObject Root => _root;

    /// <summary>Where this configuration sits in the document it came from (the root for a whole document).</summary>
    public ConfigPath PathInDocument => _prefix;

    public bool IsEmpty => _root.Count == 0;

    /// <summary>The keys directly under the root, in the order they were written.</summary>
    public IEnumerable<string> Keys => _root.Keys;

    /// <summary>True when the path leads to a value other than null.</summary>
    public bool HasPath(string path) => Find(path) is { } value && value is not HoconScalar { Kind: HoconScalarKind.Null };

    /// <summary>The raw value at a path, or null when there is none.</summary>
    public HoconValue? GetValue(string path) => Find(path);

    /// <summary>Where the value at a path was written, or the origin of this configuration when the path is missing.</summary>
    public ConfigOrigin OriginOf(string path) => Find(path)?.Origin ?? _root.Origin;

    /// <summary>
    /// This configuration with <paramref name="fallback"/> underneath: keys missing here are taken
    /// from the fallback, and objects present in both merge deeply (this side wins).
    /// </summary>
    public Config WithFallback(Config fallback)
    {
        if (fallback.IsEmpty)
        {
            return this;
        }
        var merged = (HoconObject)fallback._root.DeepClone();
        merged.MergeFieldsOf((HoconObject)_root.DeepClone());
        merged.Origin = _root.Origin;
        return new Config(merged, _prefix, _prefixText);
    }

    /// <summary>The configuration as HOCON text; with <paramref name="originComments"/>, each value is preceded by a comment naming where it was written.</summary>
    public string ToHocon(bool originComments = false) => HoconRenderer.Render(_root, originComments);

    /// <summary>The configuration as a JSON document.</summary>
    public string ToJson() => JsonRenderer.Render(_root);

    public override string ToString() => ToHocon();

    private HoconValue? Find(string path)
    {
        var parsed = ConfigPath.Parse(path);
        return _root.Find(parsed);
    }

    /// <summary>The full path of a key of this configuration as errors show it, list positions included.</summary>
    public string PathText(string path) => _prefixText.Length == 0 ? path : _prefixText + "." + path;

    /// <summary>The path of this configuration as errors show it (empty for a whole document).</summary>
    public string PathText() => _prefixText;

    private string FullPath(string path) => PathText(path);
}
