using ActorVisor.Config.Domain;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;

namespace ActorVisor.Config.Tests;

/// <summary>With disk checking on, an image the block back-end could not open is a located error in both loaders.</summary>
public sealed class DiskImageCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("actorvisor-diskcheck-").FullName;

    public DiskImageCheckTests()
    {
        WriteImage("good.img", 8 * 512);
        WriteImage("short.img", 8 * 512 + 100);
        WriteImage("empty.img", 0);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Scenario_with_existing_raw_images_loads_with_checking_on()
    {
        var result = LoadScenario("\"format=raw, vdev=xvda, target=good.img\"", "{ target = good.img, vdev = xvdb, access = ro }");

        Assert.True(result.IsSuccess, result.ErrorText);
        Assert.Equal(2, result.Value!.Domains[0].Disks.Count);
    }

    [Fact]
    public void Scenario_disk_with_a_missing_image_is_an_error_at_the_disk()
    {
        var result = LoadScenario("\"format=raw, vdev=xvda, target=good.img\"", "\"format=raw, vdev=xvdb, target=gone.img\"");

        var error = Assert.Single(result.Errors);
        Assert.Equal("t.conf:4:69: scenario.domains.web.disks[1]", error.ToString()[..error.ToString().IndexOf(": expected", StringComparison.Ordinal)]);
        Assert.Contains("an existing raw image file", error.Expected);
        Assert.Contains(Path.Combine(_directory, "gone.img"), error.Found);
    }

    [Theory]
    [InlineData("short.img", "4196 bytes")]
    [InlineData("empty.img", "0 bytes")]
    public void Scenario_disk_whose_size_is_not_whole_sectors_is_an_error(string image, string found)
    {
        var result = LoadScenario($"{{ target = {image}, vdev = xvda }}");

        var error = Assert.Single(result.Errors);
        Assert.Equal("scenario.domains.web.disks[0]", error.Path);
        Assert.Equal(4, error.Origin.Line);
        Assert.Contains("512-byte sectors", error.Expected);
        Assert.Contains(found, error.Found);
    }

    [Fact]
    public void Scenario_disk_in_a_format_other_than_raw_is_an_error()
    {
        var result = LoadScenario("\"format=qcow2, vdev=xvda, target=good.img\"");

        var error = Assert.Single(result.Errors);
        Assert.Equal("format=qcow2", error.Found);
        Assert.StartsWith("format=raw", error.Expected);
    }

    [Fact]
    public void Scenario_disks_are_not_checked_unless_asked()
    {
        var text = ScenarioText("\"format=qcow2, vdev=xvda, target=gone.img\"");

        Assert.True(ScenarioLoader.LoadString(text, "t.conf", _directory, Parse.NoEnvironment).IsSuccess);
    }

    [Fact]
    public void Xl_disk_with_a_missing_image_is_an_error_located_at_its_spec()
    {
        var cfg = Path.Combine(_directory, "guest.cfg");
        File.WriteAllText(cfg, "name = \"guest\"\nkernel = \"vmlinuz\"\nmemory = 128\ndisk = [ 'format=raw, vdev=xvda, target=good.img',\n         'format=raw, vdev=xvdb, target=gone.img' ]\n");

        var checkedLoad = XlConfigLoader.LoadFile(cfg, checkDiskImages: true);
        var plain = XlConfigLoader.LoadFile(cfg);

        var error = Assert.Single(checkedLoad.Errors);
        Assert.Equal(new ConfigOrigin(cfg, 5, 10), error.Origin);
        Assert.Equal("disk", error.Path);
        Assert.Contains("gone.img", error.Found);
        Assert.True(plain.IsSuccess, plain.ErrorText);
    }

    [Fact]
    public void Absolute_targets_are_used_as_they_are_and_an_empty_cdrom_drive_needs_no_image()
    {
        var absolute = Path.Combine(_directory, "good.img");
        var result = LoadScenario($"\"format=raw, vdev=xvda, target={absolute}\"", "\"vdev=xvdc, devtype=cdrom, access=ro, target=\"");

        Assert.True(result.IsSuccess, result.ErrorText);
        Assert.Equal(absolute, DiskImageCheck.ResolvePath(absolute, "/elsewhere"));
    }

    private ConfigResult<ScenarioSpec> LoadScenario(params string[] disks) =>
        ScenarioLoader.LoadString(ScenarioText(disks), "t.conf", _directory, Parse.NoEnvironment, checkDiskImages: true);

    private static string ScenarioText(params string[] disks) =>
        "scenario {\n  name = t, stop-at = 1s\n  domains { web {\n    kernel = k, disks = [ " + string.Join(", ", disks) + " ]\n  } }\n  timeline = [ { at = 0s, action = start, domain = web } ]\n}";

    private void WriteImage(string name, long size)
    {
        using var file = File.Create(Path.Combine(_directory, name));
        file.SetLength(size);
    }
}
