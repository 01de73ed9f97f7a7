using System.Diagnostics;
using System.Globalization;

namespace ActorVisor.Pv.Bench;

/// <summary>
/// Guest MIPS of the CPU benchmark's SSE workload (bench/Cpu.Bench/workload/sse.c) booted as a
/// 64-bit PV guest (sse-guest.c), against the native build of the same source and the same binary
/// under qemu-x86_64 (when installed) in the same run. The guest's checksum must equal the native
/// one, or the figure is refused.
/// Usage: ActorVisor.Pv.Bench sse [workload build directory] [rounds, as the native build's SSE_ROUNDS].
/// </summary>
public static class SseWorkloadBench
{
    public static int Run(string build, int rounds)
    {
        string native = Path.Combine(build, "sse-native.elf");
        string guest = Path.Combine(build, "sse-pv.elf");
        if (!File.Exists(native) || !File.Exists(guest))
        {
            Console.Error.WriteLine($"{native} or {guest} is missing: build them with `make -C bench/Cpu.Bench/workload sse`");
            return 2;
        }

        // A short first run lets the JIT reach its final tier.
        WorkloadBench.RunGuest(guest, 1);
        var nativeRuns = Enumerable.Range(0, 3).Select(_ => WorkloadBench.RunNative(native)).ToList();
        double nativeSeconds = nativeRuns.Select(r => r.Seconds).Order().ElementAt(1);
        string nativeChecksum = nativeRuns[0].Checksum;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"native: {nativeSeconds:F3} s, checksum {nativeChecksum}"));
        string? qemu = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Select(p => Path.Combine(p, "qemu-x86_64")).FirstOrDefault(File.Exists);
        if (qemu is not null)
        {
            var qemuRuns = Enumerable.Range(0, 3).Select(_ => Time(qemu, native)).ToList();
            var median = qemuRuns.OrderBy(r => r.Seconds).ElementAt(1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"qemu-x86_64: {median.Seconds:F3} s, {median.Seconds / nativeSeconds:F1}x native time, checksum {median.Checksum}"));
        }
        else
        {
            Console.WriteLine("qemu-x86_64: not installed (apt-get install qemu-user)");
        }

        var runs = Enumerable.Range(0, 3).Select(_ => WorkloadBench.RunGuest(guest, rounds)).ToList();
        var guestMedian = runs.OrderBy(r => r.Seconds).ElementAt(1);
        if (guestMedian.Checksum != nativeChecksum)
        {
            Console.Error.WriteLine($"the PV guest's checksum {guestMedian.Checksum} differs from the native {nativeChecksum}");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"x86_64 PV guest: {guestMedian.Retired:N0} instructions in {guestMedian.Seconds:F3} s = {guestMedian.Retired / guestMedian.Seconds / 1e6:F0} guest MIPS, {guestMedian.Seconds / nativeSeconds:F1}x native time, checksum {guestMedian.Checksum}"));
        return 0;
    }

    private static (double Seconds, string Checksum) Time(string file, string argument)
    {
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo(file, argument) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"cannot start {file}");
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return (stopwatch.Elapsed.TotalSeconds, output);
    }
}
