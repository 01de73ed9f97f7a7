using System.Diagnostics;
using System.Reflection;

namespace ActorVisor.Host.Tests;

/// <summary>Runs the built `actorvisor` command in a child process from the repository root.</summary>
internal static class CliProcess
{
    /// <summary>The built command's assembly (src/Cli/bin/Release/net10.0/actorvisor.dll).</summary>
    public static string Cli { get; } = typeof(CliProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliAssembly").Value!;

    public static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        string cli = Cli;
        Assert.True(File.Exists(cli), $"the command is not built: {cli}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
