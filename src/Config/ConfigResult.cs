namespace ActorVisor.Config;

/// <summary>The outcome of loading user configuration: a value, or the located errors that prevented it.</summary>
public sealed record ConfigResult<T>(T? Value, IReadOnlyList<ConfigError> Errors)
    where T : class
{
    public bool IsSuccess => Value is not null && Errors.Count == 0;

    public static ConfigResult<T> Ok(T value) => new(value, []);

    public static ConfigResult<T> Fail(IReadOnlyList<ConfigError> errors) => new(null, errors);

    public static ConfigResult<T> Fail(ConfigError error) => new(null, [error]);

    /// <summary>All errors, one per line, in the <c>file:line:column: path: expected X, found Y</c> form.</summary>
    public string ErrorText => string.Join(Environment.NewLine, Errors.Select(e => e.ToString()));
}
