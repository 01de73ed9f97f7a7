using System.Security.Cryptography;
using System.Text;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// The host side of the Linux disk tests: <see cref="Ext4Image"/> makes an ext4 image with the
/// host's mkfs.ext4, e2fsck finds it clean, and debugfs reads every file back with its manifest
/// sum; a changed data byte or superblock is found.
/// </summary>
public sealed class Ext4ImageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ext4-image-tests-").FullName;

    [E2fsprogsFact]
    public void Image_made_by_mkfs_ext4_is_clean_and_gives_back_every_file_and_its_manifest()
    {
        var files = LinuxTestModes.HostFiles(seed: 12);
        using var image = Ext4Image.Create(Path.Combine(_folder, "disk.img"), files, sizeMiB: 64);

        Assert.Equal(64L << 20, new FileInfo(image.Path).Length);
        var check = image.Check();
        Assert.True(check.ExitCode == 0, check.Output);
        foreach (var (name, data) in files)
        {
            Assert.Equal(data, image.ReadFile(name));
        }

        Assert.Null(image.ReadFile("host/no-such-file"));
        var manifest = Encoding.ASCII.GetString(image.ReadFile(Ext4Image.ManifestName)!);
        Assert.Equal(Ext4Image.Manifest(files), manifest);
        Assert.Contains($"{Convert.ToHexStringLower(SHA256.HashData(files["host/random.bin"]))}  host/random.bin\n", manifest, StringComparison.Ordinal);
        var (entries, mismatches) = image.VerifyManifest(Ext4Image.ManifestName);
        Assert.Equal(files.Count, entries);
        Assert.Empty(mismatches);
    }

    [E2fsprogsFact]
    public void A_changed_data_byte_fails_the_manifest_and_a_changed_superblock_fails_e2fsck()
    {
        var files = LinuxTestModes.HostFiles(seed: 13);
        using var image = Ext4Image.Create(Path.Combine(_folder, "disk.img"), files, sizeMiB: 16);
        byte[] bytes = File.ReadAllBytes(image.Path);
        int at = bytes.AsSpan().IndexOf(files["host/random.bin"].AsSpan(100_000, 64));
        Assert.True(at > 0, "host/random.bin's bytes not found in the image");
        bytes[at] ^= 0x55;
        File.WriteAllBytes(image.Path, bytes);

        Assert.Equal(["host/random.bin"], image.VerifyManifest(Ext4Image.ManifestName).Mismatches.Select(m => m[..m.IndexOf(':', StringComparison.Ordinal)]));
        Assert.Equal(0, image.Check().ExitCode);

        // s_free_blocks_count_lo at byte 12 of the superblock (at 1024): its checksum no longer holds.
        bytes[1024 + 12] ^= 0x01;
        File.WriteAllBytes(image.Path, bytes);
        Assert.NotEqual(0, image.Check().ExitCode);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
