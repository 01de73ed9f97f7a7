using System.Globalization;
using System.Security.Cryptography;
using ActorVisor.Config.Scenario;
using ActorVisor.Config.Xl;
using ActorVisor.Host.Scenario;
using Xunit.Abstractions;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// Issue 12's block acceptance: Debian's own xen-blkfront and ext4 modules, loaded from the
/// initramfs, against our block back-end in the default IOPM. The host makes an ext4 image with
/// mkfs.ext4 (<see cref="Ext4Image"/>); an xl.cfg names it with <c>disk=</c>; the domain is created
/// as <c>actorvisor create</c> does it; the guest's disk mode mounts /dev/xvda, checks the host's
/// files, writes guest/, syncs, rereads and unmounts. Afterwards the host's e2fsck -fn must find the
/// file system clean and every file the guest wrote must be in the image with the content computed
/// here — the bytes crossed real rings, grants and event channels into the image file.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class LinuxBlkfrontDiskTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("linux-blkfront-").FullName;

    [LinuxUserSpaceFact(NeedsE2fsprogs = true)]
    public void Debian_xen_blkfront_mounts_a_host_made_ext4_disk_writes_and_syncs_and_the_host_finds_the_files_and_a_clean_fs()
    {
        var files = LinuxTestModes.HostFiles(seed: 12);
        using var image = Ext4Image.Create(Path.Combine(_folder, "disk.img"), files, sizeMiB: 64);
        string config = Path.Combine(_folder, "linux.cfg");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            name = "linux-disk"
            kernel = "{LinuxModeBoot.KernelPath}"
            ramdisk = "{LinuxModeBoot.UserSpacePath}"
            memory = {LinuxTestModes.MemoryMiB}
            extra = "{LinuxTestModes.Disk()}"
            disk = [ "disk.img,raw,xvda,rw" ]

            """));
        var loaded = XlConfigLoader.LoadFile(config);
        Assert.True(loaded.IsSuccess, loaded.ErrorText);

        var lines = new List<string>();
        var outcome = ScenarioRunner.Run(SingleDomainScenario.Create(loaded.Value!.Domain, config, 120_000_000_000, seed: 0), output: lines.Add);
        var console = lines.Select(Marker).ToList();
        foreach (var line in console.Where(l => l.StartsWith("actorvisor-", StringComparison.Ordinal) || l.Contains("xvda", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        string tail = string.Join('\n', lines.TakeLast(60));
        Assert.True(Assert.Single(outcome.Domains).ExitReason == "poweroff", tail);
        Assert.True(LinuxTestModes.Result(console, "disk") == "PASS", tail);
        Assert.Contains($"actorvisor-disk: verify host files ok {files.Count}", console);
        Assert.Contains(console, l => l.Contains("EXT4-fs (xvda): mounted filesystem", StringComparison.Ordinal));
        Assert.DoesNotContain(console, l => l.Contains("EXT4-fs error", StringComparison.Ordinal) || l.Contains("I/O error", StringComparison.Ordinal)
            || l.Contains("Oops", StringComparison.Ordinal) || l.Contains("BUG:", StringComparison.Ordinal));

        var iopm = Assert.Single(outcome.Iopms);
        Assert.True(iopm.DevicesServed == 1, $"the default IOPM served {iopm.DevicesServed} devices");
        Assert.True(iopm.Requests > 0 && iopm.Bytes > 0 && iopm.Errors == 0, $"IOPM figures: {iopm}");

        var (fsck, fsckOutput) = image.Check();
        Assert.True(fsck == 0, fsckOutput);
        var written = LinuxTestModes.GuestFiles(files["host/random.bin"]);
        foreach (var (name, data) in written)
        {
            var stored = image.ReadFile(name);
            Assert.True(stored is not null, $"{name} is not in the image");
            Assert.True(SHA256.HashData(stored!).AsSpan().SequenceEqual(SHA256.HashData(data)), $"{name} in the image differs from what the guest wrote");
        }

        var (entries, mismatches) = image.VerifyManifest("guest/" + Ext4Image.ManifestName);
        Assert.Empty(mismatches);
        Assert.Equal(written.Count, entries);
    }

    /// <summary>A console line without the run's prefix (domain name, timestamps), from the first "actorvisor-" on.</summary>
    private static string Marker(string line)
    {
        int at = line.IndexOf("actorvisor-", StringComparison.Ordinal);
        return (at >= 0 ? line[at..] : line).TrimEnd('\r');
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
