using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;
using ActorVisor.Host.Domains;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>The path behind <c>actorvisor create FILE.cfg</c>: an xl.cfg domain run on the actor tree.</summary>
public sealed class XlCreateTests
{
    [Fact]
    public void The_example_xl_cfg_boots_its_guest_to_poweroff()
    {
        string path = Path.Combine(Repository.Root, "hocon", "xl", "hello.cfg");
        var loaded = XlConfigLoader.LoadFile(path);
        Assert.True(loaded.IsSuccess, loaded.ErrorText);

        var outcome = ScenarioRunner.Run(SingleDomainScenario.Create(loaded.Value!.Domain, path, 1_000_000_000, seed: 0));

        Assert.Null(outcome.Error);
        var domain = Assert.Single(outcome.Domains);
        Assert.Equal("hello", domain.Name);
        Assert.Equal("poweroff", domain.ExitReason);
        Assert.Contains(outcome.Console, line => line.Domain == "hello" && line.Text == "PASS hello");
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void A_crashing_guest_with_on_crash_preserve_is_kept_crashed(string bits)
    {
        string folder = Directory.CreateTempSubdirectory("xl-create").FullName;
        try
        {
            File.Copy(Repository.Kernel(bits, "crash"), Path.Combine(folder, "crash.elf"));
            string path = Path.Combine(folder, "crash.cfg");
            File.WriteAllText(path, "name = \"victim\"\nkernel = \"crash.elf\"\nmemory = 16\ncmdline = \"crash\"\non_crash = \"preserve\"\n");
            var loaded = XlConfigLoader.LoadFile(path);
            Assert.True(loaded.IsSuccess, loaded.ErrorText);

            var outcome = ScenarioRunner.Run(SingleDomainScenario.Create(loaded.Value!.Domain, path, 1_000_000_000, seed: 0));

            var domain = Assert.Single(outcome.Domains);
            Assert.Equal(DomainState.Crashed, domain.State);
            Assert.StartsWith("crash", domain.ExitReason, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_missing_kernel_is_refused_with_its_path()
    {
        string folder = Directory.CreateTempSubdirectory("xl-create").FullName;
        try
        {
            string path = Path.Combine(folder, "nokernel.cfg");
            File.WriteAllText(path, "name = \"ghost\"\nkernel = \"nowhere.elf\"\nmemory = 16\n");
            var loaded = XlConfigLoader.LoadFile(path);
            Assert.True(loaded.IsSuccess, loaded.ErrorText);

            var outcome = ScenarioRunner.Run(SingleDomainScenario.Create(loaded.Value!.Domain, path, 1_000_000_000, seed: 0));

            Assert.NotNull(outcome.Error);
            Assert.Contains(Path.Combine(folder, "nowhere.elf"), outcome.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
