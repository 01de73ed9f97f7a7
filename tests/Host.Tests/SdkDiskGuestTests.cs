using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// Our own SDK blkfront (guests/tests/disk.c) against the real block back-end in the default IOPM,
/// in both widths, as <c>actorvisor create</c> runs an xl.cfg with a <c>disk=</c> line: the guest
/// writes 16 checksummed blocks across the disk, reads them back, checks that a read past the end
/// is refused and flushes. The one refused read is the IOPM's one error; the blocks it wrote are
/// in the image file afterwards.
/// </summary>
public sealed class SdkDiskGuestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sdk-disk-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void The_sdk_disk_guest_writes_and_verifies_blocks_through_the_iopm_block_backend(string width)
    {
        File.Copy(Repository.Kernel(width, "disk"), Path.Combine(_folder, "disk.elf"), overwrite: true);
        string image = Path.Combine(_folder, "disk.img");
        using (var file = File.Create(image))
        {
            file.SetLength(8 << 20);
        }

        string config = Path.Combine(_folder, "disk.cfg");
        File.WriteAllText(config, "name = \"sdk-disk\"\nkernel = \"disk.elf\"\nmemory = 16\ndisk = [ 'disk.img,raw,xvda,rw' ]\n");
        var loaded = XlConfigLoader.LoadFile(config);
        Assert.True(loaded.IsSuccess, loaded.ErrorText);

        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(SingleDomainScenario.Create(loaded.Value!.Domain, config, 20_000_000_000, seed: 0), output: lines.Add);

        string all = string.Join('\n', lines);
        Assert.True(Assert.Single(outcome.Domains).ExitReason == "poweroff", all);
        Assert.Contains(lines, l => l.EndsWith("PASS disk", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("FAIL", StringComparison.Ordinal));
        var iopm = Assert.Single(outcome.Iopms);
        Assert.True(iopm.Errors == 1 && iopm.Requests > 16 && iopm.Bytes >= 2 * 16 * 4096, $"IOPM figures: {iopm}");
        Assert.Contains(File.ReadAllBytes(image), b => b != 0);
    }
}
