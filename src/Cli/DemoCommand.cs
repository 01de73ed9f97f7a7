using System.CommandLine;
using ActorVisor.Host.Demo;

namespace ActorVisor.Cli;

/// <summary>`actorvisor demo`: runs the host's <see cref="SupervisionDemo"/>.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var seed = new Option<int>("--seed") { Description = "Seed of the deterministic dispatcher.", DefaultValueFactory = _ => 1 };
        var command = new Command("demo", "Run a small actor demo: a supervisor restarts a failing child.") { seed };
        command.SetAction(parseResult => SupervisionDemo.Run(parseResult.GetValue(seed), Console.Out));
        return command;
    }
}
