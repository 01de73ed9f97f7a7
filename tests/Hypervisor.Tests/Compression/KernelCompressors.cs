namespace ActorVisor.Hypervisor.Tests.Compression;

/// <summary>
/// Debian's command-line compressors, run as Linux's kernel build runs them for a bzImage payload
/// (scripts/Makefile.lib: <c>zstd -22 --ultra</c>, <c>lz4 -l -9</c>, <c>bzip2 -9</c>,
/// <c>lzop -9</c>), so that our decoders are tested on the tools' real output.
/// </summary>
internal static class KernelCompressors
{
    /// <summary>The Debian package that provides each tool (.ci/run installs them).</summary>
    public static readonly IReadOnlyDictionary<string, string> Packages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["zstd"] = "zstd",
        ["lz4"] = "lz4",
        ["bzip2"] = "bzip2",
        ["lzop"] = "lzop",
    };

    public static byte[] Zstd(byte[] input, string level = "-22 --ultra") => Run("zstd", $"{level} -q -c", input);

    public static byte[] Lz4Legacy(byte[] input, string level = "-9") => Run("lz4", $"-l {level} - -", input);

    public static byte[] Bzip2(byte[] input) => Run("bzip2", "-9 -c", input);

    public static byte[] Lzop(byte[] input) => Run("lzop", "-9 -c", input);

    /// <summary>The stream as Linux's build leaves it in the bzImage: the compressed data, then the decompressed size as four little-endian bytes.</summary>
    public static byte[] WithSize(byte[] stream, int decompressedBytes) => [.. stream, .. BitConverter.GetBytes((uint)decompressedBytes)];

    public static bool IsInstalled(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    private static byte[] Run(string tool, string arguments, byte[] input)
    {
        if (!IsInstalled(tool))
        {
            throw new InvalidOperationException($"{tool} is not installed (apt-get install {Packages[tool]}; .ci/run installs it; ACTORVISOR_OFFLINE=1 lets these tests skip instead)");
        }

        return XzTool.Run(tool, arguments, input);
    }
}

/// <summary>
/// A fact that needs Debian compressors. When one is missing it fails (the tool runner says which
/// package to install), unless ACTORVISOR_OFFLINE=1 allows skipping, as for the Linux kernel.
/// </summary>
internal sealed class CompressorFactAttribute : FactAttribute
{
    public CompressorFactAttribute(params string[] tools) => Skip = CompressorSkip.Reason(tools);
}

/// <summary>The theory form of <see cref="CompressorFactAttribute"/>.</summary>
internal sealed class CompressorTheoryAttribute : TheoryAttribute
{
    public CompressorTheoryAttribute(params string[] tools) => Skip = CompressorSkip.Reason(tools);
}

internal static class CompressorSkip
{
    public static string? Reason(string[] tools)
    {
        var missing = tools.Where(t => !KernelCompressors.IsInstalled(t)).ToList();
        if (missing.Count == 0 || Environment.GetEnvironmentVariable("ACTORVISOR_OFFLINE") != "1")
        {
            return null;
        }

        return $"{string.Join(", ", missing)} not installed (apt-get install {string.Join(' ', missing.Select(t => KernelCompressors.Packages[t]))}) and ACTORVISOR_OFFLINE=1 allows the skip";
    }
}
