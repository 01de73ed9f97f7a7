using ActorVisor.Abi;
using Xunit.Abstractions;

namespace ActorVisor.Hypervisor.Tests.Linux;

/// <summary>
/// With XenStore answering on the domain's store ring, Debian's Linux 6.1 goes through all of its
/// initcalls, unpacks the initramfs the domain builder passed as the boot module, runs its /init
/// in user mode (guests/linux/init.c: prints a marker and the uname release, then reboot(2)) and
/// powers the domain off. The store holds what a toolstack writes for a new domain: its home
/// directory, name, domid and vCPU availability, owned by the domain. cryptomgr.notests skips the crypto self-tests
/// (some 700 million instructions of bignum arithmetic) to keep the run short.
/// </summary>
[Collection(LinuxKernel.Collection)]
public class LinuxUserSpaceTests(ITestOutputHelper output)
{
    private const string CommandLine = "console=hvc0 cryptomgr.notests";

    private static readonly string[] Milestones =
    [
        "Linux version 6.1.0",
        "xen:balloon: Initialising balloon driver",
        "Trying to unpack rootfs image as initramfs...",
        "Freeing unused kernel image (initmem) memory",
        "Run /init as init process",
        "actorvisor-init: user space is running",
        "actorvisor-init: Linux 6.1.0-",
        "actorvisor-init: powering off",
        "reboot: System halted",
    ];

    [LinuxKernelFact]
    public void Debian_linux_6_1_runs_the_initramfs_init_in_user_mode_and_powers_off()
    {
        using var run = new LinuxBootRun(128, CommandLine, LinuxKernel.Initramfs());
        var backend = run.ServeXenStore();

        var last = run.Run(Milestones, () => run.Ring.Text, virtualLimitNs: 6_000_000_000, untilShutdown: true);

        output.WriteLine(run.Report());
        string text = run.Ring.Text;
        Assert.True(run.Reached.Count == Milestones.Length, $"'{Milestones[run.Reached.Count % Milestones.Length]}' not reached; stopped with {last.Outcome} ({run.Domain.CrashDetail}) after:\n{LinuxBootRun.Tail(text)}");
        Assert.Equal(ShutdownReason.Poweroff, run.Domain.ShutdownReason);
        Assert.Null(backend.Connection.ClosedBecause);
        Assert.DoesNotContain("Kernel panic", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unable to read cpu state", text, StringComparison.Ordinal);
        Assert.DoesNotContain("VDSO_CLOCKMODE_PVCLOCK not supported", text, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid opcode", text, StringComparison.Ordinal);
        Assert.DoesNotContain("general protection fault", text, StringComparison.Ordinal);
    }
}
