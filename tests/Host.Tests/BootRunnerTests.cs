using ActorVisor.Host.Boot;

namespace ActorVisor.Host.Tests;

/// <summary><c>actorvisor boot</c>'s runner: every online vCPU gets slices, and the domain has a XenStore.</summary>
public sealed class BootRunnerTests
{
    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void A_guest_with_two_vcpus_brings_up_the_second_and_powers_off(string bits)
    {
        var result = PvBootRunner.Run(new BootOptions(Repository.ReadKernel(bits, "smp"), MemoryMiB: 16, Vcpus: 2));

        Assert.Equal(BootStatus.PoweredOff, result.Status);
        Assert.Contains("PASS secondary_ran_on_its_stack_and_saw_shared_memory", result.ConsoleLines);
        Assert.DoesNotContain(result.ConsoleLines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }

    [Fact]
    public void The_domain_reaches_its_own_xenstore_directory_and_waits_for_the_toolstack()
    {
        var result = PvBootRunner.Run(new BootOptions(Repository.ReadKernel("x86_64", "xenstore"), MemoryMiB: 16, VirtualTimeout: TimeSpan.FromMilliseconds(20)));

        // Nothing writes control/shutdown under `boot`, so the guest waits for it until the timeout.
        Assert.Equal(BootStatus.TimedOut, result.Status);
        Assert.DoesNotContain(result.ConsoleLines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        foreach (var check in new[] { "domid_is_1", "reading_a_dom0_node_is_eacces", "commit", "conflicting_commit_is_eagain", "watch_fires_at_once", "ping_the_toolstack" })
        {
            Assert.Contains($"PASS {check}", result.ConsoleLines);
        }
    }
}
