using System.Diagnostics;
using System.Globalization;
using ActorVisor.Abi;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Pv.Bench;

/// <summary>
/// Guest MIPS of the CPU benchmark's integer workload booted as a PV guest (guests/tests/workload.c),
/// 64-bit and 32-bit PAE, against the native build of the same source in the same run. The 64-bit
/// guest's checksum must equal the native one, or the figure is refused.
/// Usage: ActorVisor.Pv.Bench workload [guests/build] [native workload binary] [rounds].
/// </summary>
public static class WorkloadBench
{
    public static int Run(string guests, string native, int rounds)
    {
        if (!File.Exists(native))
        {
            Console.Error.WriteLine($"{native} is missing: build it with `make -C bench/Cpu.Bench/workload`");
            return 2;
        }

        // A short first run lets the JIT reach its final tier.
        RunGuest(Path.Combine(guests, "x86_64", "workload.elf"), 1);
        var nativeRuns = Enumerable.Range(0, 3).Select(_ => RunNative(native)).ToList();
        double nativeSeconds = nativeRuns.Select(r => r.Seconds).Order().ElementAt(1);
        string nativeChecksum = nativeRuns[0].Checksum;
        Console.WriteLine($"native: {nativeSeconds:F3} s, checksum {nativeChecksum}");
        foreach (var arch in new[] { "x86_64", "x86_32" })
        {
            var runs = Enumerable.Range(0, 3).Select(_ => RunGuest(Path.Combine(guests, arch, "workload.elf"), rounds)).ToList();
            var median = runs.OrderBy(r => r.Seconds).ElementAt(1);
            if (arch == "x86_64" && median.Checksum != nativeChecksum)
            {
                Console.Error.WriteLine($"the 64-bit guest's checksum {median.Checksum} differs from the native {nativeChecksum}");
                return 1;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{arch} PV guest: {median.Retired:N0} instructions in {median.Seconds:F3} s = {median.Retired / median.Seconds / 1e6:F0} guest MIPS, {median.Seconds / nativeSeconds:F1}x native time, checksum {median.Checksum}"));
        }

        return 0;
    }

    private static (double Seconds, string Checksum) RunNative(string path)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true };
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {path}");
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return (stopwatch.Elapsed.TotalSeconds, output);
    }

    private static (double Seconds, long Retired, string Checksum) RunGuest(string path, int rounds)
    {
        var image = XenElfLoader.Parse(File.ReadAllBytes(path)).Image ?? throw new InvalidOperationException($"{path} is not a PV kernel");
        using var machine = Machine.WithMegabytes(68);
        var built = DomainBuilder.Build(machine, image, DomainConfig.WithMegabytes(new DomId(1), 64, $"rounds={rounds}"));
        var console = new System.Text.StringBuilder();
        var domain = new PvDomain(machine, built.Domain ?? throw new InvalidOperationException(built.Detail), new StandaloneHost(text => console.Append(text)));
        long retired = 0;
        var stopwatch = Stopwatch.StartNew();
        SliceResult slice;
        do
        {
            slice = domain.Vcpus[0].RunSlice(10_000_000);
            retired += slice.Retired;
        }
        while (slice.Outcome is not (SliceOutcome.ShutDown or SliceOutcome.Crashed));

        stopwatch.Stop();
        if (domain.ShutdownReason != ShutdownReason.Poweroff)
        {
            throw new InvalidOperationException($"{path} did not power off: {domain.CrashDetail}");
        }

        const string Marker = "checksum ";
        string text = console.ToString();
        int at = text.IndexOf(Marker, StringComparison.Ordinal);
        string checksum = at < 0 ? "?" : new string(text[(at + Marker.Length)..].TakeWhile(char.IsDigit).ToArray());
        return (stopwatch.Elapsed.TotalSeconds, retired, checksum);
    }
}
