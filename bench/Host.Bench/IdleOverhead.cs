using System.Diagnostics;
using ActorVisor.Host.Domains;
using ActorVisor.Scheduler;

namespace ActorVisor.Host.Bench;

/// <summary>
/// A hundred idle domains (4 MiB each, half 64-bit, half 32-bit) on two physical CPUs in parallel
/// mode: host memory (managed heap and resident set) and CPU time to start them, while they sit
/// blocked for ten seconds of virtual time, and after they are destroyed.
/// </summary>
internal static class IdleOverhead
{
    private const int Count = 100;
    private const int GuestMiB = 4;

    public static void Run(string guests)
    {
        var kernels = new[] { "x86_64", "x86_32" }.Select(a => File.ReadAllBytes(Path.Combine(guests, a, "idle.elf"))).ToArray();
        var process = Process.GetCurrentProcess();
        var before = Snapshot(process);
        int blocked = 0;
        var host = new HostDriver(
            new CreditPolicy(2, 30_000_000, 30_000_000),
            2,
            parallel: true,
            line =>
            {
                if (line.Text.StartsWith("idle: blocking", StringComparison.Ordinal))
                {
                    blocked++;
                }
            });
        var startCpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Count; i++)
        {
            host.Ask(new Create(HostDriver.Spec($"i{i}", GuestMiB, "forever"), kernels[i % 2]));
            host.Ask(new Unpause($"i{i}"));
        }

        host.RunUntil(() => blocked == Count, 1_000_000_000);
        clock.Stop();
        var started = process.TotalProcessorTime - startCpu;
        var running = Snapshot(process);
        long machineBytes = host.Memory.MachineBytes;
        long instructions = host.List().Sum(d => d.Instructions);

        var idleCpu = process.TotalProcessorTime;
        var idleClock = Stopwatch.StartNew();
        host.Runtime.AdvanceTo(host.Runtime.Now + TimeSpan.FromSeconds(10));
        host.Drive();
        idleClock.Stop();
        var idle = process.TotalProcessorTime - idleCpu;

        for (int i = 0; i < Count; i++)
        {
            host.Ask(new Destroy($"i{i}"));
        }

        var ledger = (host.Memory.Domains, host.Memory.MachineBytes);
        host.Dispose();
        var after = Snapshot(process);

        const double MiB = 1 << 20;
        long guestBytes = (long)Count * GuestMiB << 20;
        Console.WriteLine($"{Count} idle domains of {GuestMiB} MiB, 2 physical CPUs, parallel mode:");
        Console.WriteLine($"| figure | value |");
        Console.WriteLine($"|---|---|");
        Console.WriteLine($"| all blocked after | {clock.Elapsed.TotalMilliseconds:F0} ms wall, {started.TotalMilliseconds:F0} ms CPU ({instructions} guest instructions in all) |");
        Console.WriteLine($"| machine memory held (guest pages + hypervisor frames) | {machineBytes / MiB:F0} MiB, of which guest pages {guestBytes / MiB:F0} MiB |");
        Console.WriteLine($"| resident set growth | {(running.Rss - before.Rss) / MiB:F0} MiB, {(running.Rss - before.Rss - guestBytes) / MiB:F0} MiB beyond the guest pages |");
        Console.WriteLine($"| managed heap growth | {(running.Heap - before.Heap) / MiB:F1} MiB ({(running.Heap - before.Heap) / Count / 1024.0:F0} KiB per domain) |");
        Console.WriteLine($"| 10 s of virtual time with all blocked | {idleClock.Elapsed.TotalMilliseconds:F1} ms wall, {idle.TotalMilliseconds:F1} ms CPU |");
        Console.WriteLine($"| after destroying all | ledger {ledger.Domains} domains, {ledger.MachineBytes} bytes; resident set {(after.Rss - before.Rss) / MiB:F0} MiB above the start |");
        Console.WriteLine();
    }

    private static (long Heap, long Rss) Snapshot(Process process)
    {
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        return (heap, process.WorkingSet64);
    }
}
