using System.Text.RegularExpressions;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;

namespace ActorVisor.Config.Tests;

/// <summary>
/// Every file under data/broken/ must be rejected with a located error, never an exception. Each
/// file's first line says where the error must be and part of what it must say:
/// <c># expect: [FILE:]LINE:COLUMN FRAGMENT</c>. hocon/ files go through the HOCON parser,
/// scenario/ files through the scenario loader, xl/ files through the xl.cfg loader.
/// </summary>
public partial class BrokenCorpusTests
{
    [GeneratedRegex(@"^# expect: (?:(?<file>[^\s:]+):)?(?<line>\d+):(?<column>\d+) (?<fragment>.+)$")]
    private static partial Regex ExpectLine();

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var kind in new[] { "hocon", "scenario", "xl" })
        {
            foreach (var file in Directory.GetFiles(TestData.Data("broken", kind)).Order(StringComparer.Ordinal))
            {
                data.Add(kind + "/" + Path.GetFileName(file));
            }
        }
        return data;
    }

    [Fact]
    public void The_corpus_has_at_least_fifty_files()
    {
        Assert.True(Files().Count >= 50, $"only {Files().Count} broken files");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Broken_file_gives_a_located_error(string name)
    {
        var path = TestData.Data("broken", name);
        var header = File.ReadLines(path).First();
        var expect = ExpectLine().Match(header);
        Assert.True(expect.Success, $"{name} has no '# expect: LINE:COLUMN FRAGMENT' first line");

        var errors = Load(name, path);

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.Origin.Line > 0, $"unlocated error: {e}"));
        var expectedFile = expect.Groups["file"].Success ? expect.Groups["file"].Value : Path.GetFileName(name);
        var line = int.Parse(expect.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var column = int.Parse(expect.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var fragment = expect.Groups["fragment"].Value;
        var match = errors.FirstOrDefault(e =>
            e.Origin.File.Replace('\\', '/').EndsWith(expectedFile, StringComparison.Ordinal)
            && e.Origin.Line == line
            && e.Origin.Column == column
            && e.ToString().Contains(fragment, StringComparison.Ordinal));
        Assert.True(match is not null, $"expected {expectedFile}:{line}:{column} '{fragment}', got:\n{string.Join("\n", errors)}");
    }

    private static IReadOnlyList<ConfigError> Load(string name, string path)
    {
        var kind = name[..name.IndexOf('/', StringComparison.Ordinal)];
        return kind switch
        {
            "hocon" => ConfigFactory.TryParseFile(path, _ => null).Errors,
            "scenario" => ScenarioLoader.LoadFile(path, _ => null).Errors,
            _ => XlConfigLoader.LoadFile(path).Errors,
        };
    }
}
