namespace ActorVisor.Config;

/// <summary>
/// Thrown by the exception-style API (<see cref="ConfigFactory.ParseFile"/>, the typed getters of
/// <see cref="Config"/>). Loaders that take user input (<c>ConfigFactory.TryLoad</c>, the scenario
/// and xl.cfg loaders) catch it and return the <see cref="Error"/> as a result instead.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(ConfigError error)
        : base(error.ToString())
    {
        Error = error;
    }

    public ConfigException()
        : this(ConfigError.Message(ConfigOrigin.None, "", "configuration error"))
    {
    }

    public ConfigException(string message)
        : this(ConfigError.Message(ConfigOrigin.None, "", message))
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = ConfigError.Message(ConfigOrigin.None, "", message);
    }

    public ConfigError Error { get; }
}
