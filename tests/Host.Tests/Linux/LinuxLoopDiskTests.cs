using System.Security.Cryptography;
using ActorVisor.Host.Boot;
using ActorVisor.Hypervisor.Tests.Linux;
using Xunit.Abstractions;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// The disk mode's checks, on a loop device rather than xen-blkfront (no back-end needed): the host
/// makes an ext4 image with mkfs.ext4 (<see cref="Ext4Image"/>), the test appends it to the
/// initramfs as /test/disk.img, and Debian's kernel, with its own loop and ext4 modules, mounts it,
/// checks the host's files against the manifest with sha256sum -c, writes guest/ (known content),
/// syncs, drops the page cache, reads guest/ back and unmounts. The image lives in the guest's
/// memory, so the host checks what the guest printed: every written file's SHA-256 and length
/// against the same content computed here.
/// </summary>
[Collection(LinuxCollection.Name)]
public sealed class LinuxLoopDiskTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("linux-loop-disk-").FullName;

    [LinuxUserSpaceFact(NeedsE2fsprogs = true)]
    public void Debian_kernel_mounts_a_host_made_ext4_image_checks_its_files_writes_syncs_and_rereads_through_loop()
    {
        var files = LinuxTestModes.HostFiles(seed: 20261203);
        using var image = Ext4Image.Create(Path.Combine(_folder, "disk.img"), files, sizeMiB: 16);
        var archive = new NewcArchive().AddDirectory("test").AddFile("test/disk.img", File.ReadAllBytes(image.Path), 0x1A4).ToArray();

        var boot = LinuxModeBoot.Run(LinuxTestModes.Loop(), archive);
        var console = boot.Console;
        foreach (var line in console.Where(l => l.Contains("actorvisor-", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        Assert.True(boot.Result.Status == BootStatus.PoweredOff, boot.Tail());
        Assert.True(LinuxTestModes.Result(console, "loop") == "PASS", boot.Tail(60));
        Assert.Contains($"actorvisor-disk: verify host files ok {files.Count}", console);
        var written = LinuxTestModes.GuestFiles(files["host/random.bin"]);
        foreach (var (name, data) in written)
        {
            Assert.Contains($"actorvisor-disk: wrote {name} {Convert.ToHexStringLower(SHA256.HashData(data))} {data.Length}", console);
        }

        Assert.Equal(written.Count, console.Count(l => l.StartsWith("actorvisor-disk: wrote ", StringComparison.Ordinal)));
        Assert.Contains("actorvisor-disk: synced", console);
        Assert.Contains($"actorvisor-disk: reread guest files ok {written.Count}", console);
        Assert.Contains("actorvisor-disk: unmounted", console);
        Assert.Contains(console, l => l.Contains("EXT4-fs (loop0): mounted filesystem", StringComparison.Ordinal));
        Assert.DoesNotContain(console, l => l.Contains("EXT4-fs error", StringComparison.Ordinal) || l.Contains("Oops", StringComparison.Ordinal)
            || l.Contains("Kernel panic", StringComparison.Ordinal) || l.Contains("BUG:", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
