using ActorVisor.Config.Hocon;

namespace ActorVisor.Config;

/// <summary>
/// Entry points, named after Akka's ConfigurationFactory and Lightbend's ConfigFactory.
/// <see cref="Default"/> is the embedded hocon/reference.conf, the single source of defaults.
/// <see cref="Load(string)"/> reads a file over reference.conf and resolves both together, so the
/// file may refer to (and extend) any default. The Parse* methods throw
/// <see cref="ConfigException"/>; the Try* methods return the error instead.
/// </summary>
public static class ConfigFactory
{
    private const string ReferenceResource = "reference.conf";

    private static readonly Lazy<Config> DefaultConfig = new(() => ParseString(ReadEmbedded(ReferenceResource)!, ReferenceResource));

    /// <summary>The text of reference.conf as shipped in this assembly.</summary>
    public static string ReferenceText => ReadEmbedded(ReferenceResource)!;

    public static Config Empty => Config.Empty;

    /// <summary>reference.conf, parsed and resolved once.</summary>
    public static Config Default() => DefaultConfig.Value;

    /// <summary>Parses and resolves HOCON text. <paramref name="originName"/> names the text in error messages.</summary>
    public static Config ParseString(string text, string originName = "<string>", Func<string, string?>? environment = null)
    {
        var root = Parser.ParseDocument(text, originName, new IncludeContext(null));
        return new Config(Resolver.Resolve(root, environment ?? Environment.GetEnvironmentVariable), ConfigPath.Root);
    }

    /// <summary>Parses and resolves one file (with its includes), without reference.conf.</summary>
    public static Config ParseFile(string path, Func<string, string?>? environment = null)
    {
        var root = ParseFileUnresolved(path, null);
        return new Config(Resolver.Resolve(root, environment ?? Environment.GetEnvironmentVariable), ConfigPath.Root);
    }

    /// <summary>Reads a file over reference.conf and resolves them together: the system's configuration for that file.</summary>
    public static Config Load(string path, Func<string, string?>? environment = null)
    {
        var reference = Parser.ParseDocument(ReferenceText, ReferenceResource, new IncludeContext(null));
        var root = ParseFileUnresolved(path, reference);
        return new Config(Resolver.Resolve(root, environment ?? Environment.GetEnvironmentVariable), ConfigPath.Root);
    }

    /// <summary>Like <see cref="Load(string, Func{string, string?})"/>, for HOCON text.</summary>
    public static Config LoadString(string text, string originName = "<string>", Func<string, string?>? environment = null)
    {
        var reference = Parser.ParseDocument(ReferenceText, ReferenceResource, new IncludeContext(null));
        var root = Parser.ParseDocument(text, originName, new IncludeContext(null), reference);
        return new Config(Resolver.Resolve(root, environment ?? Environment.GetEnvironmentVariable), ConfigPath.Root);
    }

    public static ConfigResult<Config> TryParseFile(string path, Func<string, string?>? environment = null) =>
        Try(() => ParseFile(path, environment));

    public static ConfigResult<Config> TryLoad(string path, Func<string, string?>? environment = null) =>
        Try(() => Load(path, environment));

    public static ConfigResult<Config> TryParseString(string text, string originName = "<string>", Func<string, string?>? environment = null) =>
        Try(() => ParseString(text, originName, environment));

    private static ConfigResult<Config> Try(Func<Config> load)
    {
        try
        {
            return ConfigResult<Config>.Ok(load());
        }
        catch (ConfigException e)
        {
            return ConfigResult<Config>.Fail(e.Error);
        }
    }

    private static HoconObject ParseFileUnresolved(string path, HoconObject? into)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(new ConfigError(new ConfigOrigin(path, 0, 0), "", "a readable configuration file", e.Message));
        }
        return Parser.ParseDocument(text, path, new IncludeContext(full), into);
    }

    /// <summary>The text of an embedded resource of this assembly (reference.conf), or null when there is none by that name.</summary>
    internal static string? ReadEmbedded(string name)
    {
        using var stream = typeof(ConfigFactory).Assembly.GetManifestResourceStream(name);
        if (stream is null)
        {
            return null;
        }
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
