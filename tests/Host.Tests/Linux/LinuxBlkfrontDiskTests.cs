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
        var outcome = RunDiskMode(rule: null);
        var iopm = Assert.Single(outcome.Iopms);
        Assert.Empty(iopm.BackendRestarts);
    }

    /// <summary>
    /// The same with the block back-end crashed after every 40th request's data reached the image
    /// and before its response (issue 13): each time it is restarted, re-attaches to the same ring
    /// and takes the unanswered requests again (the one whose data was written is written twice); blkfront and ext4 never see an error and the file
    /// system is clean.
    /// </summary>
    [LinuxUserSpaceFact(NeedsE2fsprogs = true)]
    public void The_disk_stays_clean_while_the_block_back_end_is_crashed_after_every_40th_write_of_data()
    {
        var outcome = RunDiskMode("iopm0/vbd-* crash at after-data every 40 requests");
        var restarts = Assert.Single(Assert.Single(outcome.Iopms).BackendRestarts).Value;
        output.WriteLine($"back-end restarts: {restarts}");
        Assert.True(restarts >= 5, $"{restarts} back-end restarts");
        var recovered = outcome.Faults.Where(f => f.Step == "recover").ToList();
        Assert.Equal(restarts, recovered.Count);
        // Each crash leaves at least the request whose data was written unanswered; blkfront may have queued more behind it.
        Assert.All(recovered, f => Assert.Matches("^re-attached to the same rings, [1-9][0-9]* requests taken again$", f.Detail));
    }

    private ScenarioOutcome RunDiskMode(string? rule)
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
        var spec = SingleDomainScenario.Create(loaded.Value!.Domain, config, 120_000_000_000, seed: 0);
        List<Config.Faults.FaultRule> inject = [];
        if (rule is not null)
        {
            // A budget that the rule's restarts stay within, so that each is a restart of the back-end alone.
            spec = spec with { Iopms = [new IopmSpec("iopm0", [BackendKind.Console, BackendKind.Block, BackendKind.Net], 1000, 1_000_000_000)] };
            var parsed = Config.Faults.FaultSpecParser.Parse(rule, "--inject #1", new Config.ConfigOrigin("--inject #1", 0, 0), null, out var error);
            Assert.True(parsed is not null, error?.ToString());
            inject.Add(parsed!);
        }

        var outcome = ScenarioRunner.Run(spec, output: lines.Add, inject: inject);
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

        Assert.True(outcome.Error is null, outcome.Error);
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
        return outcome;
    }

    /// <summary>A console line without the run's prefix (domain name, timestamps), from the first "actorvisor-" on.</summary>
    private static string Marker(string line)
    {
        int at = line.IndexOf("actorvisor-", StringComparison.Ordinal);
        return (at >= 0 ? line[at..] : line).TrimEnd('\r');
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
