using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Xunit;

namespace ActorVisor.Architecture.Tests;

/// <summary>
/// Holds the code to the dependency table of docs/ARCHITECTURE.md, read from that file (there is no
/// copy here). For every src/ project it looks at what the compiler recorded in the built assembly
/// (only the assemblies a project really uses are recorded), so a reference that arrives through
/// another project, or a using of a forbidden namespace, is seen: every ActorVisor assembly and
/// every package assembly a project's binary references must be allowed by its row; every project
/// its csproj names must be used by the binary; every project a row allows must be used (a dead edge
/// is removed from the table); every package a row allows must be referenced by the csproj, and the
/// csproj references no package its row does not name.
/// </summary>
public sealed class ProjectGraphTests
{
    private static readonly Lazy<Dictionary<string, TableRow>> Table = new(ReadTable);

    private static List<string> ProjectNames() =>
        Directory.GetDirectories(Path.Combine(RepoRoot(), "src")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> SourceProjects()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(RepoRoot(), "src")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }
        return data;
    }

    [Fact]
    public void The_table_lists_every_source_folder_and_nothing_else()
    {
        var folders = Directory.GetDirectories(Path.Combine(RepoRoot(), "src")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(folders, Table.Value.Keys.Order(StringComparer.Ordinal).ToList());
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void The_binary_references_only_projects_and_packages_its_row_allows(string project)
    {
        var row = RowOf(project);
        var (projects, packages) = BinaryReferences(project);
        var forbiddenProjects = projects.Except(row.Projects).ToList();
        var forbiddenPackages = packages.Except(row.Packages).ToList();
        Assert.True(forbiddenProjects.Count == 0, $"the built src/{project} uses {string.Join(", ", forbiddenProjects)}, which its row in docs/ARCHITECTURE.md does not allow.");
        Assert.True(forbiddenPackages.Count == 0, $"the built src/{project} uses package assembly {string.Join(", ", forbiddenPackages)}, which its row in docs/ARCHITECTURE.md does not allow.");
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Every_edge_of_the_row_and_of_the_csproj_is_used(string project)
    {
        var row = RowOf(project);
        var (used, _) = BinaryReferences(project);
        var deadInTable = row.Projects.Except(used).ToList();
        Assert.True(deadInTable.Count == 0, $"docs/ARCHITECTURE.md lets src/{project} reference {string.Join(", ", deadInTable)}, but its binary uses none of it: remove the dead edge.");
        var declared = CsprojItems(project, "ProjectReference").Select(r => Path.GetFileName(Path.GetDirectoryName(r.Replace('\\', '/')))!).ToList();
        var deadInCsproj = declared.Except(used).ToList();
        Assert.True(deadInCsproj.Count == 0, $"src/{project}'s csproj references {string.Join(", ", deadInCsproj)}, which its binary does not use.");
    }

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void The_csproj_references_exactly_the_packages_of_its_row(string project)
    {
        var row = RowOf(project);
        var packages = CsprojItems(project, "PackageReference");
        Assert.True(!packages.Except(row.Packages).Any(), $"src/{project} references package(s) {string.Join(", ", packages.Except(row.Packages))} that its row in docs/ARCHITECTURE.md does not name.");
        Assert.True(!row.Packages.Except(packages).Any(), $"docs/ARCHITECTURE.md names package(s) {string.Join(", ", row.Packages.Except(packages))} for src/{project}, which its csproj does not reference: remove the dead edge.");
    }

    [Fact]
    public void Cpu_is_the_only_user_of_Iced()
    {
        var users = ProjectNames().Where(p => BinaryReferences(p).Packages.Contains("Iced")).ToList();
        Assert.Equal(["Cpu"], users);
    }

    private sealed record TableRow(HashSet<string> Projects, HashSet<string> Packages);

    private static TableRow RowOf(string project)
    {
        Assert.True(Table.Value.TryGetValue(project, out var row), $"src/{project} has no row in the table of docs/ARCHITECTURE.md.");
        return row!;
    }

    /// <summary>
    /// Reads the rows `| src/NAME/ | what it holds | may reference |` of the table. The last column is
    /// a comma-separated list; "BCL" and "BCL only" stand for the framework alone, a remark in
    /// parentheses is ignored, a name that is a src/ folder is a project and any other is a package.
    /// </summary>
    private static Dictionary<string, TableRow> ReadTable()
    {
        var root = RepoRoot();
        var folders = Directory.GetDirectories(Path.Combine(root, "src")).Select(d => Path.GetFileName(d)!).ToHashSet(StringComparer.Ordinal);
        var rows = new Dictionary<string, TableRow>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(root, "docs", "ARCHITECTURE.md")))
        {
            if (!line.StartsWith("| src/", StringComparison.Ordinal))
            {
                continue;
            }
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            var name = cells[1]["src/".Length..].TrimEnd('/');
            var row = new TableRow([], []);
            foreach (var raw in cells[^2].Split(','))
            {
                var entry = System.Text.RegularExpressions.Regex.Replace(raw, @"\(.*?\)", "").Trim();
                if (entry is "" or "BCL" or "BCL only")
                {
                    continue;
                }
                (folders.Contains(entry) ? row.Projects : row.Packages).Add(entry);
            }
            Assert.True(rows.TryAdd(name, row), $"docs/ARCHITECTURE.md has two rows for src/{name}.");
        }
        Assert.True(rows.Count > 0, "docs/ARCHITECTURE.md has no `| src/...` table rows");
        return rows;
    }

    /// <summary>Packages whose assembly is named otherwise than the package: the binary names the assembly, the table the package.</summary>
    private static readonly Dictionary<string, string> PackageOfAssembly = new(StringComparer.Ordinal)
    {
        ["ZstdSharp"] = "ZstdSharp.Port",
    };

    /// <summary>The src/ projects and the packages (by package name) that the built binary of <paramref name="project"/> references.</summary>
    private static (HashSet<string> Projects, HashSet<string> Packages) BinaryReferences(string project)
    {
        var assemblyNames = ProjectNames().ToDictionary(AssemblyNameOf, p => p, StringComparer.Ordinal);
        var path = Path.Combine(AppContext.BaseDirectory, AssemblyNameOf(project) + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: tests/Architecture.Tests must reference src/{project}");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var projects = new HashSet<string>(StringComparer.Ordinal);
        var packages = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in metadata.AssemblyReferences)
        {
            var name = metadata.GetString(metadata.GetAssemblyReference(handle).Name);
            if (assemblyNames.TryGetValue(name, out var referenced))
            {
                projects.Add(referenced);
            }
            else if (!IsFramework(name))
            {
                packages.Add(PackageOfAssembly.GetValueOrDefault(name, name));
            }
        }
        return (projects, packages);
    }

    private static bool IsFramework(string assembly) =>
        assembly is "netstandard" or "mscorlib" || File.Exists(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), assembly + ".dll"));

    private static string AssemblyNameOf(string project)
    {
        var name = XDocument.Load(Csproj(project)).Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault();
        return string.IsNullOrEmpty(name) ? $"ActorVisor.{project}" : name;
    }

    private static string Csproj(string project) => Directory.GetFiles(Path.Combine(RepoRoot(), "src", project), "*.csproj").Single();

    private static List<string> CsprojItems(string project, string item) =>
        XDocument.Load(Csproj(project)).Descendants(item)
            .Select(e => (string?)e.Attribute("Include"))
            .OfType<string>()
            .ToList();

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
