using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;

namespace ActorVisor.Config.Tests;

public sealed class SingleDomainScenarioTests
{
    [Fact]
    public void An_xl_domain_becomes_a_one_domain_scenario_started_at_time_zero_with_paths_relative_to_the_file()
    {
        var loaded = XlConfigLoader.LoadString("name = \"web\"\nkernel = \"k.elf\"\nmemory = 64\nvcpus = 2\n", "/etc/actorvisor/web.cfg");
        Assert.True(loaded.IsSuccess, loaded.ErrorText);

        var spec = SingleDomainScenario.Create(loaded.Value!.Domain, "/etc/actorvisor/web.cfg", stopAtNs: 2_000_000_000, seed: 7);

        Assert.Equal("web", spec.Name);
        Assert.Equal(Path.GetFullPath("/etc/actorvisor"), spec.BaseDirectory);
        Assert.Equal(2_000_000_000, spec.StopAtNs);
        Assert.Equal(7, spec.Seed);
        var domain = Assert.Single(spec.Domains);
        Assert.Equal(64L << 20, domain.MemoryBytes);
        Assert.Equal(2, domain.Vcpus);
        var start = Assert.IsType<StartDomain>(Assert.Single(spec.Timeline));
        Assert.Equal(0, start.AtNs);
        Assert.Equal("web", start.Domain);
        Assert.Empty(spec.Checks);
    }

    [Fact]
    public void A_stop_time_of_zero_is_a_caller_bug()
    {
        var loaded = XlConfigLoader.LoadString("name = \"web\"\nkernel = \"k.elf\"\n");
        Assert.Throws<ArgumentOutOfRangeException>(() => SingleDomainScenario.Create(loaded.Value!.Domain, "web.cfg", 0, 0));
    }
}
