using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace ActorVisor.Host.Tests.Linux;

/// <summary>
/// An ext4 disk image made and read with the host's e2fsprogs, for the Linux disk tests: the image
/// is made by <c>mkfs.ext4 -d</c> from a folder holding the given files and a manifest of their
/// SHA-256 sums (<see cref="ManifestName"/> at the root, in sha256sum's format, which the guest's
/// <c>sha256sum -c</c> reads), checked with <c>e2fsck -fn</c> and read back with <c>debugfs</c>.
/// The image file is deleted on dispose.
/// </summary>
public sealed class Ext4Image : IDisposable
{
    /// <summary>The manifest of the host's files at the image's root.</summary>
    public const string ManifestName = "MANIFEST.sha256";

    /// <summary>The tools the helper runs; each one is looked for on PATH and in /sbin and /usr/sbin.</summary>
    public static readonly string[] Tools = ["mkfs.ext4", "e2fsck", "debugfs"];

    private Ext4Image(string path, IReadOnlyDictionary<string, byte[]> files)
    {
        Path = path;
        Files = files;
    }

    /// <summary>The image file.</summary>
    public string Path { get; }

    /// <summary>The files the host put into the image (by path relative to the root, '/'-separated), the manifest not among them.</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>The tools of <see cref="Tools"/> that the host lacks (empty when e2fsprogs is installed).</summary>
    public static IReadOnlyList<string> MissingTools() => [.. Tools.Where(t => Locate(t) is null)];

    /// <summary>The manifest text for <paramref name="files"/>: "SHA256  PATH" per file, in ordinal order of the paths.</summary>
    public static string Manifest(IReadOnlyDictionary<string, byte[]> files)
    {
        var text = new StringBuilder();
        foreach (var (name, data) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            text.Append(Convert.ToHexStringLower(SHA256.HashData(data))).Append("  ").Append(name).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// Makes an image of <paramref name="sizeMiB"/> MiB at <paramref name="path"/> (4 KiB blocks, a
    /// fixed UUID and hash seed, files owned by root) holding <paramref name="files"/> and their manifest.
    /// </summary>
    public static Ext4Image Create(string path, IReadOnlyDictionary<string, byte[]> files, int sizeMiB = 64)
    {
        ArgumentNullException.ThrowIfNull(files);
        RequireTools();
        string tree = Directory.CreateTempSubdirectory("ext4-tree-").FullName;
        try
        {
            foreach (var (name, data) in files)
            {
                string file = System.IO.Path.Combine(tree, name);
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, data);
            }

            File.WriteAllText(System.IO.Path.Combine(tree, ManifestName), Manifest(files), Encoding.ASCII);
            File.Delete(path);
            var made = Run("mkfs.ext4", ["-F", "-q", "-b", "4096", "-L", "actorvisor", "-U", FixedUuid, "-E", $"hash_seed={FixedUuid},root_owner=0:0",
                "-d", tree, path, $"{sizeMiB}M"]);
            if (made.ExitCode != 0)
            {
                throw new InvalidOperationException($"mkfs.ext4 failed with {made.ExitCode}: {made.Output}");
            }

            return new Ext4Image(path, files);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    /// <summary><c>e2fsck -fn</c>: a forced, read-only check; exit code 0 means the file system is clean.</summary>
    public (int ExitCode, string Output) Check() => Run("e2fsck", ["-fn", Path]);

    /// <summary>The bytes of the file <paramref name="name"/> (relative to the root), dumped with debugfs; null when the image has no such file.</summary>
    public byte[]? ReadFile(string name)
    {
        string dump = System.IO.Path.GetTempFileName();
        try
        {
            File.Delete(dump);
            var result = Run("debugfs", ["-R", $"dump -p /{name} {dump}", Path]);
            if (result.ExitCode != 0 || !File.Exists(dump) || result.Output.Contains("File not found", StringComparison.Ordinal))
            {
                return null;
            }

            return File.ReadAllBytes(dump);
        }
        finally
        {
            File.Delete(dump);
        }
    }

    /// <summary>
    /// Checks every file a manifest in the image lists (<paramref name="manifest"/>, relative to the
    /// root; its paths are relative to the root too): the names whose bytes are missing or differ, with
    /// what was found, and how many entries the manifest had.
    /// </summary>
    public (int Entries, IReadOnlyList<string> Mismatches) VerifyManifest(string manifest)
    {
        var text = ReadFile(manifest);
        if (text is null)
        {
            return (0, [$"{manifest}: not in the image"]);
        }

        var mismatches = new List<string>();
        var lines = Encoding.ASCII.GetString(text).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            string sum = line[..64];
            string name = line[66..];
            var data = ReadFile(name);
            string? actual = data is null ? null : Convert.ToHexStringLower(SHA256.HashData(data));
            if (actual != sum)
            {
                mismatches.Add($"{name}: manifest {sum}, image {actual ?? "missing"}");
            }
        }

        return (lines.Length, mismatches);
    }

    public void Dispose() => File.Delete(Path);

    private const string FixedUuid = "a0e1c2d3-b4f5-4a6b-8c7d-0e1f2a3b4c5d";

    private static void RequireTools()
    {
        var missing = MissingTools();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"{string.Join(", ", missing)} not found (on PATH, /sbin or /usr/sbin): install e2fsprogs (apt-get install e2fsprogs; .ci/run does)");
        }
    }

    private static string? Locate(string tool)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"]);
        return folders.Select(f => System.IO.Path.Combine(f, tool)).FirstOrDefault(File.Exists);
    }

    private static (int ExitCode, string Output) Run(string tool, IEnumerable<string> arguments)
    {
        string path = Locate(tool) ?? throw new InvalidOperationException($"{tool} not found: install e2fsprogs");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Fixed timestamps in the new file system (e2fsprogs reads E2FSPROGS_FAKE_TIME), and C messages.
        start.Environment["E2FSPROGS_FAKE_TIME"] = "1764720000";
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, (output + error.Result).Trim());
    }
}
