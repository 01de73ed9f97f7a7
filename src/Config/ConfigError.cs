namespace ActorVisor.Config;

/// <summary>
/// A configuration problem a person can act on: where it is, which path was being read, what was
/// expected and what was found. It renders as <c>file:line:column: path: expected X, found Y</c>.
/// </summary>
public sealed record ConfigError(ConfigOrigin Origin, string Path, string Expected, string Found, string? Hint = null)
{
    /// <summary>A problem that is not a mismatch between an expectation and a finding (a cycle, a missing include).</summary>
    public static ConfigError Message(ConfigOrigin origin, string path, string message) => new(origin, path, message, "");

    public override string ToString()
    {
        var where = Origin.ToString();
        var path = string.IsNullOrEmpty(Path) ? "" : Path + ": ";
        var body = Found.Length == 0 ? Expected : $"expected {Expected}, found {Found}";
        var hint = Hint is null ? "" : $" ({Hint})";
        return $"{where}: {path}{body}{hint}";
    }
}
