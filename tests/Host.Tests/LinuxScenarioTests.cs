using ActorVisor.Host.Boot;
using ActorVisor.Host.Scenario;

namespace ActorVisor.Host.Tests;

/// <summary>
/// Debian's Linux 6.1 PV kernel as a domain of the actor tree, beside our own guests
/// (hocon/scenarios/linux.conf). The kernel and initramfs come from `make -C guests linux`, which
/// the Hypervisor tests' build runs; without them (no apt or network) the test is skipped.
/// </summary>
public sealed class LinuxScenarioTests
{
    [LinuxFilesFact]
    public void Linux_boots_to_user_space_and_powers_off_while_the_other_guests_run_in_parallel_mode()
    {
        var lines = new List<string>();

        var outcome = ScenarioRunner.Run(Repository.LoadFile("linux.conf"), output: lines.Add, parallel: true);

        Assert.True(outcome.Passed, string.Join('\n', lines.TakeLast(40)));
        Assert.All(outcome.Domains, d => Assert.Equal("poweroff", d.ExitReason));
        var linux = outcome.Console.Where(l => l.Domain == "linux").Select(l => l.Text).ToList();
        Assert.Contains(linux, l => l.Contains("Linux version 6.1", StringComparison.Ordinal));
        Assert.Contains(linux, l => l.StartsWith("actorvisor-init: Linux 6.1.0-", StringComparison.Ordinal) && l.EndsWith("-amd64 x86_64", StringComparison.Ordinal));
        Assert.DoesNotContain(linux, l => l.Contains("Kernel panic", StringComparison.Ordinal) || l.Contains("Oops", StringComparison.Ordinal));
    }

    [LinuxFilesFact]
    public void Smp_linux_brings_up_its_second_vcpu_through_vcpuop_initialise_and_reaches_user_space_under_boot()
    {
        string build = Path.Combine(Repository.Root, "guests", "linux", "build");
        var options = new BootOptions(
            File.ReadAllBytes(Path.Combine(build, "vmlinuz-6.1.0-amd64")),
            MemoryMiB: 128,
            Vcpus: 2,
            CommandLine: "console=hvc0 cryptomgr.notests",
            VirtualTimeout: TimeSpan.FromSeconds(10),
            Initrd: File.ReadAllBytes(Path.Combine(build, "initramfs.cpio")));

        var result = PvBootRunner.Run(options);

        Assert.True(result.Status == BootStatus.PoweredOff, $"{result.Status}: {result.Detail}\n{string.Join('\n', result.ConsoleLines.TakeLast(30))}");
        Assert.Contains(result.ConsoleLines, l => l.Contains("smp: Brought up 1 node, 2 CPUs", StringComparison.Ordinal));
        Assert.Contains("actorvisor-init: user space is running", result.ConsoleLines);
    }

    /// <summary>A fact skipped, with the reason, when the Linux files are missing.</summary>
    private sealed class LinuxFilesFactAttribute : FactAttribute
    {
        public LinuxFilesFactAttribute()
        {
            string build = Path.Combine(Repository.Root, "guests", "linux", "build");
            var missing = new[] { "vmlinuz-6.1.0-amd64", "initramfs.cpio" }.Where(f => !File.Exists(Path.Combine(build, f))).ToList();
            if (missing.Count > 0)
            {
                Skip = $"{string.Join(", ", missing)} not in {build}: `make -C guests linux` could not fetch Debian's kernel";
            }
        }
    }
}
