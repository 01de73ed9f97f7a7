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
        Assert.Contains("actorvisor-init: Linux 6.1.0-56-amd64 x86_64", linux);
        Assert.DoesNotContain(linux, l => l.Contains("Kernel panic", StringComparison.Ordinal) || l.Contains("Oops", StringComparison.Ordinal));
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
