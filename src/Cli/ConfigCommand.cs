using System.CommandLine;
using ActorVisor.Config;
using ActorVisor.Config.Xl;

namespace ActorVisor.Cli;

/// <summary>
/// <c>actorvisor config show FILE [--json]</c>: prints the fully resolved configuration of FILE
/// (read over reference.conf, with includes, merges and substitutions applied) as HOCON, or as
/// JSON with --json. An xl.cfg file (FILE ending in .cfg) is shown as its settings. A bad file
/// prints its located errors to stderr and exits with code 1.
/// </summary>
public static class ConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A HOCON file (scenario or settings)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of HOCON." };
        var show = new Command("show", "Print the resolved configuration of FILE, defaults included.");
        show.Arguments.Add(file);
        show.Options.Add(json);
        show.SetAction(parseResult =>
        {
            var path = parseResult.GetValue(file)!;
            var loaded = path.Extension == ".cfg"
                ? XlConfigLoader.ReadSettings(path.ToString())
                : ConfigFactory.TryLoad(path.ToString());
            if (!loaded.IsSuccess)
            {
                Console.Error.WriteLine(loaded.ErrorText);
                return 1;
            }
            Console.Out.Write(parseResult.GetValue(json) ? loaded.Value!.ToJson() : loaded.Value!.ToHocon());
            return 0;
        });
        var config = new Command("config", "Inspect ActorVisor configuration files.");
        config.Subcommands.Add(show);
        return config;
    }
}
