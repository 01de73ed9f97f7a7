using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Boot.Compression;

namespace ActorVisor.Boot.Bench;

/// <summary>
/// Decompression of a real bzImage payload (host wall-clock time, so this is not a test): our
/// XZ decoder against the system's `xz -d` on the same bytes in the same run, each the median
/// of several rounds, and the full bzImage unwrap plus ELF parse.
/// Usage: ActorVisor.Boot.Bench VMLINUZ [rounds]; with <c>formats</c> first, the decode table of
/// every payload format (<see cref="KernelFormatsBench"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["formats", var vmlinux, var vmlinuz, var cache, .. var rest])
        {
            return KernelFormatsBench.Run(vmlinux, vmlinuz, cache, rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 5);
        }

        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: ActorVisor.Boot.Bench VMLINUZ [rounds]");
            return 2;
        }

        var file = File.ReadAllBytes(args[0]);
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        if (!BzImage.IsBzImage(file))
        {
            Console.Error.WriteLine($"{args[0]} is not a bzImage");
            return 1;
        }

        int setupSectors = file[0x1F1] == 0 ? 4 : file[0x1F1];
        int start = ((setupSectors + 1) * 512) + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(0x248));
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(0x24C));
        var payload = file.AsSpan(start, length).ToArray();
        var format = PayloadDecompressor.Detect(payload);
        Console.WriteLine($"{Path.GetFileName(args[0])}: {format} payload of {payload.Length} bytes");

        long expected = BinaryPrimitives.ReadUInt32LittleEndian(payload.AsSpan(payload.Length - 4));
        var ours = PayloadDecompressor.Decompress(payload, expectedBytes: expected);
        if (!ours.Succeeded)
        {
            Console.Error.WriteLine($"our decoder failed: {ours.Error}: {ours.Detail}");
            return 1;
        }

        string payloadFile = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(payloadFile, payload);
            var reference = RunTool(payloadFile, out _);
            bool same = reference.AsSpan().SequenceEqual(ours.Data);
            Console.WriteLine($"decompressed: {ours.Data!.Length} bytes; identical to xz -d: {same}");
            if (!same)
            {
                return 1;
            }

            double oursMs = Median(rounds, () => Time(() => PayloadDecompressor.Decompress(payload, expectedBytes: expected)));
            double oursCpuMs = Median(rounds, () => CpuTime(() => PayloadDecompressor.Decompress(payload, expectedBytes: expected)));
            var tool = Enumerable.Range(0, rounds).Select(_ => TimeTool(payloadFile)).ToArray();
            double toolMs = tool.Select(t => t.WallMs).Order().ElementAt(rounds / 2);
            double toolCpuMs = tool.Select(t => t.CpuMs).Order().ElementAt(rounds / 2);
            double mbPerS = ours.Data.Length / 1e6 / (oursCpuMs / 1e3);
            Console.WriteLine($"ours:  wall {oursMs,8:F1} ms  cpu {oursCpuMs,8:F1} ms  ({mbPerS:F1} MB/s of output per CPU second)");
            Console.WriteLine($"xz -d: wall {toolMs,8:F1} ms  cpu {toolCpuMs,8:F1} ms  (output to /dev/null)");
            Console.WriteLine($"ratio ours / xz -d: wall {oursMs / toolMs:F2}  cpu {oursCpuMs / toolCpuMs:F2}");
            var parsed = XenElfLoader.Parse(file);
            Console.WriteLine(parsed.Succeeded
                ? $"XenElfLoader.Parse: {parsed.Image!.Width} kernel, entry 0x{parsed.Image.Entry:x}, {parsed.Image.Segments.Count} segments"
                : $"XenElfLoader.Parse refused it: {parsed.Error}: {parsed.Detail}");
            double unwrapMs = Median(rounds, () => Time(() => XenElfLoader.Parse(file)));
            Console.WriteLine($"XenElfLoader.Parse of the whole bzImage: {unwrapMs:F1} ms");
            return 0;
        }
        finally
        {
            File.Delete(payloadFile);
        }
    }

    private static byte[] RunTool(string payloadFile, out double milliseconds)
    {
        var clock = Stopwatch.StartNew();
        var info = new ProcessStartInfo("xz", $"--decompress --stdout --single-stream \"{payloadFile}\"")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start xz");
        var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        milliseconds = clock.Elapsed.TotalMilliseconds;
        return output.ToArray();
    }

    /// <summary>Runs `xz -d` to /dev/null under bash's `time`, returning wall and user+system milliseconds.</summary>
    private static (double WallMs, double CpuMs) TimeTool(string payloadFile)
    {
        var clock = Stopwatch.StartNew();
        var info = new ProcessStartInfo("bash", ["-c", $"TIMEFORMAT='%3U %3S'; time xz --decompress --stdout --single-stream '{payloadFile}' > /dev/null"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start bash");
        string times = process.StandardError.ReadToEnd();
        process.WaitForExit();
        double wall = clock.Elapsed.TotalMilliseconds;
        var parts = times.Trim().Split(' ');
        double cpu = (double.Parse(parts[0], CultureInfo.InvariantCulture) + double.Parse(parts[1], CultureInfo.InvariantCulture)) * 1000;
        return (wall, cpu);
    }

    private static double CpuTime(Action action)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        action();
        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds;
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(int rounds, Func<double> measure)
    {
        var samples = Enumerable.Range(0, rounds).Select(_ => measure()).Order().ToArray();
        return samples[samples.Length / 2];
    }
}
