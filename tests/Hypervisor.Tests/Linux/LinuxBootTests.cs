using Xunit.Abstractions;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// Boots Debian's unmodified Linux 6.1 PV kernel on one vCPU and checks the milestones it reaches,
/// in order, on its boot console (earlyprintk=xen, kept after hvc0 registers, so every line goes
/// through console_io) and on hvc0 (the console ring, which the test drains). Without a XenStore
/// back end the run ends at the balloon driver, whose XS_WATCH request Linux then waits on for
/// good; about 1.6 billion instructions.
/// </summary>
/// <remarks>
/// The instructions retired and the host time at each milestone go to the test output
/// (<c>dotnet test --logger "console;verbosity=detailed"</c>); they are reported, never asserted.
/// </remarks>
[Collection(LinuxKernel.Collection)]
public class LinuxBootTests(ITestOutputHelper output)
{
    private const string CommandLine = "earlyprintk=xen keep_bootcon console=hvc0";
    private const string LastMilestone = "xen:balloon: Initialising balloon driver";

    /// <summary>The console lines that must appear, in this order.</summary>
    private static readonly string[] Milestones =
    [
        "Linux version 6.1.0",
        "Command line: " + CommandLine,
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
        using var run = new LinuxBootRun(128, CommandLine);

        var last = run.Run(Milestones, () => run.BootConsole, virtualLimitNs: 3_000_000_000);

        output.WriteLine(run.Report());
        string text = run.BootConsole;
        Assert.True(run.Reached.Count == Milestones.Length, $"'{Milestones[run.Reached.Count % Milestones.Length]}' not reached; stopped with {last.Outcome} ({run.Domain.CrashDetail}) after:\n{LinuxBootRun.Tail(text)}");
        Assert.DoesNotContain("unchecked MSR access error", text, StringComparison.Ordinal);
        Assert.DoesNotContain("general protection fault", text, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid opcode", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Oops", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Kernel panic", text, StringComparison.Ordinal);
        Assert.Null(run.Domain.ShutdownReason);
        Assert.Contains(LastMilestone, run.Ring.Text, StringComparison.Ordinal);
    }
}
