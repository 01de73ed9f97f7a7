using System.Diagnostics;
using System.Text;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Boot;
using ActorVisor.Hypervisor.Pv;
using Xunit.Abstractions;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// Boots Debian's unmodified Linux 6.1 PV kernel on one vCPU and checks the milestones it reaches on
/// its boot console (earlyprintk=xen, kept after hvc0 registers, so every line goes through
/// console_io) and on hvc0 (the console ring, which the test drains). The run stops at the last milestone this hypervisor reaches today, the balloon
/// driver, after which Linux waits for a XenStore reply; about 1.6 billion instructions.
/// </summary>
/// <remarks>
/// The instructions retired and the host time at each milestone go to the test output
/// (<c>dotnet test --logger "console;verbosity=detailed"</c>); they are reported, never asserted.
/// </remarks>
public class LinuxBootTests(ITestOutputHelper output)
{
    private const int MemoryMiB = 128;
    private const long VirtualLimitNs = 3_000_000_000;
    private const string LastMilestone = "xen:balloon: Initialising balloon driver";

    /// <summary>The console lines that must appear, in this order.</summary>
    private static readonly string[] Milestones =
    [
        "Linux version 6.1.0",
        "Command line: earlyprintk=xen keep_bootcon console=hvc0",
        "BIOS-provided physical RAM map:",
        "Hypervisor detected: Xen PV",
        "x86/PAT: Configuration [0-7]: WB  WT  UC- UC  WC  WP  UC  UC",
        "Booting kernel on Xen",
        "Xen version: 4.19",
        "Memory: ",
        "xen:events: Using 2-level ABI",
        "printk: console [hvc0] enabled",
        "clocksource: xen: mask: 0xffffffffffffffff",
        "Calibrating delay loop (skipped), value calculated using timer frequency",
        "smp: Brought up 1 node, 1 CPU",
        "xen:grant_table: Grant tables using version 1 layout",
        LastMilestone,
    ];

    [LinuxKernelFact]
    public void Debian_linux_6_1_boots_to_the_balloon_driver_without_faults_or_msr_errors()
    {
        var console = new StringBuilder();
        var image = XenElfLoader.Parse(File.ReadAllBytes(LinuxKernel.Path));
        Assert.True(image.Image is not null, image.Detail);
        using var machine = Machine.WithMegabytes(MemoryMiB + 8);
        var built = DomainBuilder.Build(machine, image.Image!, DomainConfig.WithMegabytes(new DomId(1), MemoryMiB, "earlyprintk=xen keep_bootcon console=hvc0"));
        Assert.True(built.Succeeded, built.Detail);
        var domain = new PvDomain(machine, built.Domain!) { ConsoleWrite = text => console.Append(text) };
        var ring = new ConsoleRingReader(machine, built.Domain!.P2m[(int)built.Domain.Layout.ConsolePfn]);

        var reached = new List<(string Milestone, long Instructions, long HostMs)>();
        var stopwatch = Stopwatch.StartNew();
        int checkedLength = -1;
        bool Reached()
        {
            if (console.Length == checkedLength)
            {
                return false;
            }

            checkedLength = console.Length;
            string sofar = console.ToString();
            while (reached.Count < Milestones.Length && sofar.Contains(Milestones[reached.Count], StringComparison.Ordinal))
            {
                reached.Add((Milestones[reached.Count], domain.Vcpus[0].Cpu.RetiredInstructions, stopwatch.ElapsedMilliseconds));
            }

            return sofar.Contains(LastMilestone, StringComparison.Ordinal);
        }

        var last = RunUntil(domain, ring, Reached);
        foreach (var (milestone, instructions, hostMs) in reached)
        {
            output.WriteLine($"{instructions,14:N0} instructions {hostMs,8:N0} ms  {milestone}");
        }

        string text = console.ToString();
        Assert.True(text.Contains(LastMilestone, StringComparison.Ordinal), $"stopped with {last.Outcome} ({domain.CrashDetail}) after:\n{Tail(text)}");
        int at = 0;
        foreach (var milestone in Milestones)
        {
            int found = text.IndexOf(milestone, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{milestone}' missing after offset {at}:\n{Tail(text)}");
            at = found + milestone.Length;
        }

        Assert.DoesNotContain("unchecked MSR access error", text, StringComparison.Ordinal);
        Assert.DoesNotContain("general protection fault", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Oops", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Kernel panic", text, StringComparison.Ordinal);
        Assert.Null(domain.ShutdownReason);
        Assert.Contains(LastMilestone, ring.Text, StringComparison.Ordinal);
    }

    /// <summary>Runs vCPU 0 until <paramref name="done"/> holds, the domain ends or blocks for good, or the virtual-time limit passes.</summary>
    private static SliceResult RunUntil(PvDomain domain, ConsoleRingReader ring, Func<bool> done)
    {
        var vcpu = domain.Vcpus[0];
        while (true)
        {
            var result = vcpu.RunSlice(200_000);
            ring.Drain();
            if (done() || result.Outcome is SliceOutcome.ShutDown or SliceOutcome.Crashed or SliceOutcome.Offline || domain.Clock.NowNs >= VirtualLimitNs)
            {
                return result;
            }

            if (result.Outcome == SliceOutcome.Blocked && vcpu.IsBlocked && !vcpu.IdleToNextDeadline())
            {
                return result;
            }
        }
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];
}
