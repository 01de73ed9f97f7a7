namespace ActorVisor.Config.Tests;

/// <summary>Finds files of the repository (hocon/, tests/Config.Tests/data/) by walking up to ActorVisor.sln.</summary>
internal static class TestData
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([RepoRoot, .. parts]);

    public static string Data(params string[] parts) => System.IO.Path.Combine([RepoRoot, "tests", "Config.Tests", "data", .. parts]);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "ActorVisor.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("ActorVisor.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A directory under the system temp folder, deleted when disposed, for include tests.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        FullName = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "actorvisor-config-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullName);
    }

    public string FullName { get; }

    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(FullName, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(FullName, recursive: true);
}
