using System.Reflection;
using ActorVisor.Config.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>Finds the repository (for the built guests and the scenarios) and loads scenarios relative to it.</summary>
internal static class Repository
{
    public static string Root { get; } = Path.GetFullPath(typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!);

    public static string ScenariosDirectory => Path.Combine(Root, "hocon", "scenarios");

    public static string Kernel(string bits, string name) => Path.Combine(Root, "guests", "build", bits, name + ".elf");

    public static byte[] ReadKernel(string bits, string name) => File.ReadAllBytes(Kernel(bits, name));

    public static ScenarioSpec LoadFile(string name)
    {
        var result = ScenarioLoader.LoadFile(Path.Combine(ScenariosDirectory, name));
        Assert.True(result.IsSuccess, result.ErrorText);
        return result.Value!;
    }

    /// <summary>Loads scenario text whose kernel paths are relative to hocon/scenarios, as in the real files.</summary>
    public static ScenarioSpec LoadString(string text)
    {
        var result = ScenarioLoader.LoadString(text, "<test>", ScenariosDirectory);
        Assert.True(result.IsSuccess, result.ErrorText);
        return result.Value!;
    }
}
