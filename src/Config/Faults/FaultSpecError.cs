namespace ActorVisor.Config.Faults;

/// <summary>
/// Why a fault rule's text was refused: at which character (0-based), what was expected there and
/// what was found. The scenario loader turns it into a <see cref="ConfigError"/> at the string's
/// line and column; the command line names the flag and the offset.
/// </summary>
public sealed record FaultSpecError(int Offset, string Expected, string Found, string? Hint = null)
{
    /// <summary>The error at its place in a scenario file: <paramref name="origin"/> is where the string's value begins, <paramref name="quoted"/> when that is its opening quote.</summary>
    public ConfigError At(ConfigOrigin origin, string path, bool quoted) =>
        new(origin with { Column = origin.Column + Offset + (quoted ? 1 : 0) }, path, Expected, Found, Hint);

    /// <summary>The error as the command line reports it: <c>--inject 'TEXT': at offset N: expected X, found Y</c>.</summary>
    public string ForFlag(string flag, string text)
    {
        var hint = Hint is null ? "" : $" ({Hint})";
        return $"{flag} '{text}': at offset {Offset}: expected {Expected}, found {Found}{hint}";
    }
}
