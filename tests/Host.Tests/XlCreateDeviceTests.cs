using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary><c>actorvisor create</c>'s path with xl.cfg <c>disk=</c> and <c>vif=</c> lines: the default IOPM serves them, a missing image refuses the domain.</summary>
public sealed class XlCreateDeviceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("xl-devices").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ScenarioOutcome Run(string disk)
    {
        File.Copy(Repository.Kernel("x86_64", "hello"), Path.Combine(_folder, "hello.elf"), overwrite: true);
        string path = Path.Combine(_folder, "dev.cfg");
        File.WriteAllText(path, $"name = \"dev\"\nkernel = \"hello.elf\"\nmemory = 16\ndisk = [ '{disk}' ]\nvif = [ 'mac=00:16:3e:01:02:03, bridge=xenbr0' ]\n");
        var loaded = XlConfigLoader.LoadFile(path);
        Assert.True(loaded.IsSuccess, loaded.ErrorText);
        return ScenarioRunner.Run(SingleDomainScenario.Create(loaded.Value!.Domain, path, 1_000_000_000, seed: 0));
    }

    [Fact]
    public void A_disk_and_a_vif_from_xl_cfg_are_served_by_the_default_iopm_as_dom0()
    {
        File.WriteAllBytes(Path.Combine(_folder, "disk.img"), new byte[1 << 20]);

        var outcome = Run("format=raw, vdev=xvda, access=rw, target=disk.img");

        Assert.Equal("poweroff", Assert.Single(outcome.Domains).ExitReason);
        var iopm = Assert.Single(outcome.Iopms);
        Assert.Equal(("iopm0", 0, 2, 0), (iopm.Name, iopm.DomainId, iopm.DevicesServed, iopm.Devices));
    }

    [Fact]
    public void A_missing_disk_image_refuses_the_domain_naming_the_path()
    {
        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(
            SingleDomainScenario.Create(LoadWith("format=raw, vdev=xvda, access=rw, target=gone.img"), Path.Combine(_folder, "dev.cfg"), 1_000_000_000, seed: 0),
            output: lines.Add);

        Assert.Empty(outcome.Domains);
        Assert.Contains(lines, l => l.Contains("disk xvda: image ", StringComparison.Ordinal) && l.Contains("gone.img: no such file", StringComparison.Ordinal));
    }

    private Config.Domain.DomainSpec LoadWith(string disk)
    {
        File.Copy(Repository.Kernel("x86_64", "hello"), Path.Combine(_folder, "hello.elf"), overwrite: true);
        string path = Path.Combine(_folder, "dev.cfg");
        File.WriteAllText(path, $"name = \"dev\"\nkernel = \"hello.elf\"\nmemory = 16\ndisk = [ '{disk}' ]\n");
        var loaded = XlConfigLoader.LoadFile(path);
        Assert.True(loaded.IsSuccess, loaded.ErrorText);
        return loaded.Value!.Domain;
    }
}
