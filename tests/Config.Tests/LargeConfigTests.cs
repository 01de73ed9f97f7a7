namespace ActorVisor.Config.Tests;

/// <summary>Correctness of the 1 MB document the benchmark parses (its timing is measured by bench/Config.Bench, never here).</summary>
public class LargeConfigTests
{
    [Fact]
    public void A_one_megabyte_document_parses_completely_and_correctly()
    {
        var (text, domains) = LargeConfigGenerator.Generate(1 << 20);
        Assert.True(text.Length >= 1 << 20);
        var c = Parse.Text(text);
        var all = c.GetConfig("domains");
        Assert.Equal(domains, all.Keys.Count());
        var last = domains - 1;
        Assert.Equal((32L + (last % 8) * 16) << 20, c.GetByteSize($"domains.d{last}.memory"));
        Assert.Equal("guests/build/hello.elf", c.GetString($"domains.d{last}.kernel"));
        Assert.Equal(TimeSpan.FromMilliseconds(1 + last % 30), c.GetDuration($"domains.d{last}.timeslice"));
        Assert.Single(c.GetList($"domains.d{last}.vifs"));
        Assert.Equal($"multi\nline {last}", c.GetString($"domains.d{last}.description"));
    }
}
