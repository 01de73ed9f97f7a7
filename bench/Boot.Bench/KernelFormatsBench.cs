using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Boot.Bench;

/// <summary>
/// Decode CPU time of every bzImage payload format on a real distribution kernel, ours against
/// the command-line decompressor on the same stream in the same run (median of the rounds).
/// The xz stream is the one Debian shipped inside VMLINUZ; the others are VMLINUX re-compressed
/// as Linux's build compresses a bzImage payload (scripts/Makefile.lib), cached in CACHE_DIR.
/// Usage: ActorVisor.Boot.Bench formats VMLINUX VMLINUZ CACHE_DIR [rounds].
/// </summary>
internal static class KernelFormatsBench
{
    private sealed record Format(CompressionFormat Id, string File, string Compress, string Decompress);

    private static readonly Format[] Formats =
    [
        new(CompressionFormat.Zstd, "vmlinux.zst", "zstd -22 --ultra -q -c", "zstd -d -q -c"),
        new(CompressionFormat.Lz4, "vmlinux.lz4", "lz4 -l -9 - -", "lz4 -d -c"),
        new(CompressionFormat.Bzip2, "vmlinux.bz2", "bzip2 -9 -c", "bzip2 -d -c"),
        new(CompressionFormat.Lzo, "vmlinux.lzo", "lzop -9 -c", "lzop -d -c"),
        new(CompressionFormat.Xz, "vmlinux.xz", "(Debian's own payload)", "xz -d -c --single-stream"),
        new(CompressionFormat.Lzma, "vmlinux.lzma", "xz --format=lzma -9 -c", "xz --format=lzma -d -c"),
        new(CompressionFormat.Gzip, "vmlinux.gz", "gzip -9 -n -c", "gzip -d -c"),
    ];

    public static int Run(string vmlinuxPath, string vmlinuzPath, string cacheDir, int rounds)
    {
        var elf = File.ReadAllBytes(vmlinuxPath);
        Directory.CreateDirectory(cacheDir);
        Console.WriteLine($"kernel: {vmlinuxPath}, {elf.Length} bytes; {rounds} rounds, medians");
        Console.WriteLine("| format | compressed with | bytes | ratio | ours cpu ms | tool | tool cpu ms | ours / tool |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |");
        foreach (var format in Formats)
        {
            string path = Path.Combine(cacheDir, format.File);
            if (!File.Exists(path))
            {
                if (format.Id == CompressionFormat.Xz)
                {
                    File.WriteAllBytes(path, XzStreamOf(File.ReadAllBytes(vmlinuzPath)));
                }
                else
                {
                    Shell($"{format.Compress} < '{vmlinuxPath}' > '{path}.tmp' && mv '{path}.tmp' '{path}'");
                }
            }

            var stream = File.ReadAllBytes(path);
            var check = PayloadDecompressor.Decompress(stream, expectedBytes: elf.Length);
            if (!check.Succeeded || !check.Data.AsSpan().SequenceEqual(elf))
            {
                Console.Error.WriteLine($"{format.Id}: our decoder did not reproduce the kernel: {check.Error}: {check.Detail}");
                return 1;
            }

            double ours = Median(rounds, () => CpuTime(() => PayloadDecompressor.Decompress(stream, expectedBytes: elf.Length)));
            double tool = Median(rounds, () => ToolCpuMs($"{format.Decompress} < '{path}' > /dev/null"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {format.Id} | `{format.Compress}` | {stream.Length} | {(double)elf.Length / stream.Length:F2} | {ours:F0} | `{format.Decompress}` | {tool:F0} | {ours / tool:F2} |"));
        }

        return 0;
    }

    /// <summary>The payload of a bzImage without the four size bytes Linux appends (here an xz stream).</summary>
    private static byte[] XzStreamOf(byte[] bzImage)
    {
        if (!BzImage.IsBzImage(bzImage))
        {
            throw new InvalidOperationException("VMLINUZ is not a bzImage");
        }

        int setupSectors = bzImage[0x1F1] == 0 ? 4 : bzImage[0x1F1];
        int start = ((setupSectors + 1) * 512) + (int)BinaryPrimitives.ReadUInt32LittleEndian(bzImage.AsSpan(0x248));
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bzImage.AsSpan(0x24C));
        return bzImage.AsSpan(start, length - 4).ToArray();
    }

    private static void Shell(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not start bash");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{command}` exited with {process.ExitCode}");
        }
    }

    /// <summary>User plus system CPU milliseconds of a shell command, from bash's `time`.</summary>
    private static double ToolCpuMs(string command)
    {
        var info = new ProcessStartInfo("bash", ["-c", $"TIMEFORMAT='%3U %3S'; time ( {command} )"]) { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        string times = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var parts = times.Trim().Split('\n')[^1].Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture) + double.Parse(parts[1], CultureInfo.InvariantCulture)) * 1000;
    }

    private static double CpuTime(Action action)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        action();
        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds;
    }

    private static double Median(int rounds, Func<double> measure)
    {
        var samples = Enumerable.Range(0, rounds).Select(_ => measure()).Order().ToArray();
        return samples[samples.Length / 2];
    }
}
