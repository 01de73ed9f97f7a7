using System.Diagnostics;

namespace ActorVisor.Cpu.Bench;

/// <summary>
/// The CPU speed benchmark: builds the workloads with gcc (make -C workload), runs one natively,
/// under qemu-x86_64 when installed, and on the emulated CPU, and prints guest MIPS side by side.
/// All three run the same instruction stream; the instruction count is the emulator's exact retired count.
/// `workload` is the integer workload (workload.c), `float` the floating-point one (float.c: a double
/// matrix multiply, a single FFT, square roots, divisions, conversions), `sse` the SSE one (sse.c: glibc-style string
/// functions over large buffers, a float matrix multiply, a double FFT), `sse-int` the SSE
/// packed-integer string workload (sse-int.c: strlen, memchr, memcpy, PCMPISTRI, PSADBW, CRC32).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("workload" or "float" or "sse" or "sse-int"))
        {
            Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Cpu.Bench -- workload|float|sse|sse-int [repetitions]");
            return 2;
        }

        var name = args[0];
        var repetitions = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 3;
        var directory = Path.Combine(AppContext.BaseDirectory, "workload");
        var source = FindWorkloadDirectory();
        if (!RunProcess("make", $"-s -C {source}", out _, out var makeError))
        {
            Console.Error.WriteLine($"make failed: {makeError}");
            return 1;
        }
        var native = Path.Combine(source, "build", $"{name}-native.elf");
        var guest = Path.Combine(source, "build", $"{name}-guest.elf");
        _ = directory;

        var emulated = new List<(double Seconds, long Retired, ulong Checksum)>();
        for (var i = 0; i < repetitions; i++)
        {
            emulated.Add(GuestRunner.Run(File.ReadAllBytes(guest)));
        }
        var retired = emulated[0].Retired;
        var checksum = emulated[0].Checksum;
        var nativeTimes = new List<double>();
        var nativeOutput = string.Empty;
        for (var i = 0; i < repetitions; i++)
        {
            nativeTimes.Add(Time(native, string.Empty, out nativeOutput));
        }
        var qemuTimes = new List<double>();
        var qemuOutput = string.Empty;
        var qemu = FindOnPath("qemu-x86_64");
        if (qemu is not null)
        {
            for (var i = 0; i < repetitions; i++)
            {
                qemuTimes.Add(Time(qemu, native, out qemuOutput));
            }
        }
        double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }
        var ours = Median(emulated.Select(e => e.Seconds));
        Console.WriteLine($"{name}: {retired:N0} guest instructions per run; checksum emulated {checksum}, native {nativeOutput.Trim()}{(qemu is null ? string.Empty : $", qemu {qemuOutput.Trim()}")}");
        Console.WriteLine($"medians of {repetitions} runs (process start included for native and qemu)");
        Console.WriteLine("| engine | seconds | guest MIPS | vs native |");
        Console.WriteLine("|---|---:|---:|---:|");
        var nativeSeconds = Median(nativeTimes);
        Console.WriteLine($"| native (static Linux binary) | {nativeSeconds:F3} | {retired / nativeSeconds / 1e6:F0} | 1.0x |");
        if (qemu is not null)
        {
            var q = Median(qemuTimes);
            Console.WriteLine($"| qemu-x86_64 (TCG) | {q:F3} | {retired / q / 1e6:F0} | {q / nativeSeconds:F1}x slower |");
        }
        Console.WriteLine($"| ActorVisor CPU (interpreter, block cache) | {ours:F3} | {retired / ours / 1e6:F0} | {ours / nativeSeconds:F1}x slower |");
        var checksumsAgree = nativeOutput.Trim() == checksum.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine(checksumsAgree ? "checksums agree" : "CHECKSUM MISMATCH between native and emulated runs");
        return checksumsAgree ? 0 : 1;
    }

    private static string FindWorkloadDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "Cpu.Bench", "workload");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
            candidate = Path.Combine(dir.FullName, "workload");
            if (File.Exists(Path.Combine(candidate, "workload.c")))
            {
                return candidate;
            }
            dir = dir.Parent;
        }
        throw new DirectoryNotFoundException("bench/Cpu.Bench/workload not found above the bench binary");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);

    private static double Time(string file, string arguments, out string output)
    {
        var stopwatch = Stopwatch.StartNew();
        RunProcess(file, arguments, out output, out _);
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static bool RunProcess(string file, string arguments, out string output, out string error)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        output = process.StandardOutput.ReadToEnd();
        error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
