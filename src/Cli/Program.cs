using System.CommandLine;

namespace ActorVisor.Cli;

/// <summary>The `actorvisor` command: each verb lives in its own file and is registered here.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("ActorVisor: a Xen-style paravirtualizing hypervisor built from supervised actors.");
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(BootCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(CreateCommand.Create());
        return root.Parse(args).Invoke();
    }
}
