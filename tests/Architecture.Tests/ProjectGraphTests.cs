using System.Xml.Linq;
using Xunit;

namespace ActorVisor.Architecture.Tests;

/// <summary>
/// Pins the dependency table of docs/ARCHITECTURE.md: every project reference under src/
/// must be an edge the table allows, and src/Cpu must stay the only user of Iced.
/// </summary>
public sealed class ProjectGraphTests
{
    // The allowed references of each src/ project, by folder name, as the architecture table has them.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Actors"] = [],
        ["Config"] = [],
        ["Persistence"] = [],
        ["Abi"] = [],
        ["Cpu"] = [],
        ["Hypervisor"] = ["Abi", "Cpu"],
        ["Scheduler"] = ["Abi"],
        ["Devices"] = ["Abi"],
        ["Host"] = ["Actors", "Config", "Persistence", "Abi", "Cpu", "Hypervisor", "Scheduler", "Devices"],
        ["Cli"] = ["Host", "Config"],
    };

    // Packages a src/ project may use; anything else must be added here deliberately.
    private static readonly Dictionary<string, string[]> AllowedPackages = new()
    {
        ["Actors"] = ["Akka"],
        ["Cpu"] = ["Iced"],
        ["Persistence"] = ["Microsoft.Data.Sqlite", "Npgsql"],
        ["Host"] = ["Akka"],
        ["Cli"] = ["System.CommandLine"],
    };

    public static TheoryData<string> SourceProjects()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(RepoRoot(), "src")).Order())
        {
            data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Project_references_only_what_the_architecture_table_allows(string project)
    {
        Assert.True(Allowed.ContainsKey(project), $"src/{project} is not in the architecture table; add it to docs/ARCHITECTURE.md and to this test.");
        var references = ReadItems(project, "ProjectReference")
            .Select(r => Path.GetFileName(Path.GetDirectoryName(r.Replace('\\', '/')))!)
            .ToList();
        var forbidden = references.Except(Allowed[project]).ToList();
        Assert.True(forbidden.Count == 0, $"src/{project} references {string.Join(", ", forbidden)}, which the architecture table does not allow.");
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Project_uses_only_its_allowed_packages(string project)
    {
        var packages = ReadItems(project, "PackageReference");
        var allowed = AllowedPackages.GetValueOrDefault(project, []);
        var forbidden = packages.Except(allowed).ToList();
        Assert.True(forbidden.Count == 0, $"src/{project} uses package(s) {string.Join(", ", forbidden)} not allowed for it.");
    }

    [Fact]
    public void The_table_lists_every_source_folder()
    {
        var folders = Directory.GetDirectories(Path.Combine(RepoRoot(), "src")).Select(Path.GetFileName).ToHashSet();
        Assert.Equal(Allowed.Keys.Order(), folders.Order()!);
    }

    private static List<string> ReadItems(string project, string item)
    {
        var csproj = Directory.GetFiles(Path.Combine(RepoRoot(), "src", project), "*.csproj").Single();
        return XDocument.Load(csproj).Descendants(item)
            .Select(e => (string?)e.Attribute("Include"))
            .OfType<string>()
            .ToList();
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ActorVisor.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("ActorVisor.sln not found above the test binaries.");
    }
}
