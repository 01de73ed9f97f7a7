using System.Diagnostics;
using System.Globalization;
using ActorVisor.Abi;
using ActorVisor.Cpu;
using ActorVisor.Hypervisor;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Pv.Bench;

/// <summary>
/// PV hypercall benchmarks (host wall-clock time, so they are not tests): the null hypercall
/// dispatched directly and from a guest loop, validated mmu_update throughput from a guest loop,
/// and the time from building a domain to its first console line.
/// Usage: ActorVisor.Pv.Bench [guests/build directory] [iterations]; `workload ...` runs <see cref="WorkloadBench"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "workload")
        {
            return WorkloadBench.Run(
                args.Length > 1 ? args[1] : Path.Combine("guests", "build"),
                args.Length > 2 ? args[2] : Path.Combine("bench", "Cpu.Bench", "workload", "build", "workload-native.elf"),
                args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 40);
        }

        string guests = args.Length > 0 ? args[0] : Path.Combine("guests", "build");
        long n = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 2_000_000;

        // A first round with few iterations lets the JIT reach its final tier; only the second round is printed.
        Measure(guests, 20_000, quiet: true);
        Measure(guests, n, quiet: false);
        return 0;
    }

    private static void Measure(string guests, long n, bool quiet)
    {
        var output = quiet ? TextWriter.Null : Console.Out;
        foreach (var arch in new[] { "x86_64", "x86_32" })
        {
            string bench = Path.Combine(guests, arch, "hcbench.elf");
            string hello = Path.Combine(guests, arch, "hello.elf");
            output.WriteLine($"{arch}:");
            output.WriteLine($"  boot to first console line (hello): {FirstLineMs(hello):F2} ms (includes a 64 MiB machine)");
            output.WriteLine($"  null hypercall, direct dispatch: {DirectDispatchNs(hello, n):F1} ns per call");
            double baseline = Median(() => RunGuestSeconds(bench, "none"));
            double nullLoop = Median(() => RunGuestSeconds(bench, $"null {n}"));
            output.WriteLine($"  null hypercall from a guest loop: {(nullLoop - baseline) * 1e9 / n:F1} ns per iteration (xen_version(0) round trip incl. ~20 guest instructions)");
            long m = n / 2;
            double mmu = Median(() => RunGuestSeconds(bench, $"mmu {m}"));
            output.WriteLine($"  mmu_update from a guest loop: {m / (mmu - baseline):F0} validated updates/s ({(mmu - baseline) * 1e9 / m:F0} ns each)");
        }
    }

    private static double Median(Func<double> measure)
    {
        var samples = Enumerable.Range(0, 3).Select(_ => measure()).Order().ToArray();
        return samples[1];
    }

    private static (Machine Machine, PvDomain Domain) Boot(string path, string cmdline, int megabytes = 64, Action<string>? console = null)
    {
        var image = XenElfLoader.Parse(File.ReadAllBytes(path)).Image ?? throw new InvalidOperationException($"{path} is not a PV kernel");
        var machine = Machine.WithMegabytes(megabytes + 4);
        var built = DomainBuilder.Build(machine, image, DomainConfig.WithMegabytes(new DomId(1), megabytes, cmdline));
        return (machine, new PvDomain(machine, built.Domain ?? throw new InvalidOperationException(built.Detail), new StandaloneHost(console)));
    }

    private static double RunGuestSeconds(string path, string cmdline)
    {
        var (machine, domain) = Boot(path, cmdline, 16);
        using (machine)
        {
            var stopwatch = Stopwatch.StartNew();
            while (domain.Vcpus[0].RunSlice(1_000_000).Outcome is not (SliceOutcome.ShutDown or SliceOutcome.Crashed))
            {
            }

            stopwatch.Stop();
            if (domain.ShutdownReason != ShutdownReason.Poweroff)
            {
                throw new InvalidOperationException($"{path} '{cmdline}' did not power off: {domain.CrashDetail}");
            }

            return stopwatch.Elapsed.TotalSeconds;
        }
    }

    private static double FirstLineMs(string path)
    {
        var stopwatch = Stopwatch.StartNew();
        double first = double.NaN;
        var (machine, domain) = Boot(path, "", console: _ =>
        {
            if (double.IsNaN(first))
            {
                first = stopwatch.Elapsed.TotalMilliseconds;
            }
        });
        using (machine)
        {
            while (double.IsNaN(first) && domain.Vcpus[0].RunSlice(10_000).Outcome is not (SliceOutcome.ShutDown or SliceOutcome.Crashed))
            {
            }

            return first;
        }
    }

    /// <summary>Offers SYSCALL events with rax = xen_version to the vCPU directly: the hypervisor's share of a null hypercall.</summary>
    private static double DirectDispatchNs(string path, long n)
    {
        var (machine, domain) = Boot(path, "", 16);
        using (machine)
        {
            var vcpu = domain.Vcpus[0];
            var cpu = vcpu.Cpu;
            bool is64 = domain.Width == GuestWidth.Bits64;
            var ev = is64
                ? new CpuEvent(CpuEventKind.Syscall, 0, 0, false, 0, 2, PrivilegedOperation.None, -1, -1, 0)
                : new CpuEvent(CpuEventKind.SoftwareInterrupt, 0x82, 0, false, 0, 2, PrivilegedOperation.None, -1, -1, 0);
            var stopwatch = Stopwatch.StartNew();
            for (long i = 0; i < n; i++)
            {
                cpu.SetGpr(0, (ulong)HypercallNumber.XenVersion);
                cpu.SetGpr(is64 ? 7 : 3, 0);
                vcpu.OnEvent(cpu, ev);
            }

            stopwatch.Stop();
            if (cpu.GetGpr(0) != PvCpuidPolicy.XenVersion)
            {
                throw new InvalidOperationException("xen_version did not return the version");
            }

            return stopwatch.Elapsed.TotalNanoseconds / n;
        }
    }
}
