using ActorVisor.Config.Schema;

namespace ActorVisor.Config.Settings;

/// <summary>
/// The <c>akka { }</c> section of a configuration: Akka.NET's own settings for the host's actor
/// system (log levels, dispatcher throughput, any other Akka key), written in the same files as
/// the <c>actorvisor</c> settings. The keys whose values the host depends on are checked here with
/// located errors; every other key is handed to Akka as written (Akka has hundreds, and rejects
/// its own). <see cref="Render"/> turns the section into HOCON text for Akka's parser.
/// </summary>
public static class AkkaSection
{
    private static readonly Dictionary<string, string> Levels = new(StringComparer.Ordinal)
    {
        ["OFF"] = "OFF",
        ["ERROR"] = "ERROR",
        ["WARNING"] = "WARNING",
        ["INFO"] = "INFO",
        ["DEBUG"] = "DEBUG",
    };

    /// <summary>The section as HOCON text (<c>akka { ... }</c>), or an empty string when the configuration has none.</summary>
    public static string Render(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.HasPath("akka") || config.GetValue("akka") is not Hocon.HoconObject)
        {
            return "";
        }

        return "akka {\n" + config.GetConfig("akka").ToHocon() + "}\n";
    }

    /// <summary>Checks the keys of the section that the host relies on.</summary>
    internal static void Validate(Config config, SchemaReader reader)
    {
        if (!config.HasPath("akka"))
        {
            return;
        }

        var akka = reader.Read(() => config.GetConfig("akka"), Config.Empty);
        foreach (var level in new[] { "loglevel", "stdout-loglevel" })
        {
            if (akka.HasPath(level))
            {
                reader.Enum(akka, level, Levels, "");
            }
        }

        foreach (var dispatcher in new[] { "actor.default-dispatcher", "actor.internal-dispatcher", "actor.pcpu-dispatcher", "actor.iopm-dispatcher" })
        {
            string throughput = dispatcher + ".throughput";
            if (akka.HasPath(throughput) && reader.Read(() => akka.GetInt(throughput), 1) < 1)
            {
                reader.Invalid(akka, throughput, "a whole number of at least 1");
            }
        }
    }
}
