using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;

namespace ActorVisor.Config.Tests;

/// <summary>
/// Malformed input is a result, never an exception: thousands of seeded mutations of the shipped
/// scenarios and xl.cfg examples (characters deleted, duplicated, replaced by HOCON's special
/// characters) must each load or fail with located errors.
/// </summary>
public class MutationTests
{
    private const string Specials = "{}[]=:,\"$?.+#/\n \\'`@";

    public static TheoryData<string> Sources()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(TestData.Path("hocon", "scenarios"), "*.conf").Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }
        foreach (var file in Directory.GetFiles(TestData.Data("xl"), "*.cfg").Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Mutated_files_load_or_fail_with_located_errors(string file)
    {
        var original = File.ReadAllText(file);
        var random = new Random(file.Length);
        var rejected = 0;
        for (var round = 0; round < 400; round++)
        {
            var text = Mutate(original, random);
            IReadOnlyList<ConfigError> errors = file.EndsWith(".cfg", StringComparison.Ordinal)
                ? XlConfigLoader.LoadString(text, "m.cfg").Errors
                : ScenarioLoader.LoadString(text, "m.conf", Path.GetDirectoryName(file), Parse.NoEnvironment).Errors;
            foreach (var error in errors)
            {
                Assert.True(error.Origin.Line > 0 && error.Origin.Column > 0, $"unlocated error {error} for:\n{text}");
            }
            rejected += errors.Count > 0 ? 1 : 0;
        }
        Assert.True(rejected > 0, "no mutation was rejected, so the mutations test nothing");
    }

    private static string Mutate(string text, Random random)
    {
        var chars = text.ToList();
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits && chars.Count > 0; i++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, chars[at]);
                    break;
                default:
                    chars[at] = Specials[random.Next(Specials.Length)];
                    break;
            }
        }
        return new string(chars.ToArray());
    }
}
