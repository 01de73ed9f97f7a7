using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>VCPUOP_initialise and VCPUOP_up bring a second vCPU of a real guest to life, with Xen's refusals.</summary>
public class SecondaryVcpuTests
{
    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void A_guest_brings_up_its_second_vcpu_which_runs_on_its_own_stack_and_goes_down(string arch)
    {
        using var run = new GuestRun(arch, "smp", options: new PvDomainOptions { VcpuCount = 2 });

        var end = run.RunAllToEnd();

        Assert.True(end.Outcome == SliceOutcome.ShutDown && end.Reason == ShutdownReason.Poweroff, $"{arch} ended with {end}\n{run.Console}");
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        foreach (var check in new[]
        {
            "vcpu1_starts_down", "up_before_initialise_is_einval", "non_canonical_entry_is_einval", "data_page_as_root_is_einval",
            "initialise", "initialise_twice_is_eexist", "still_down_until_up", "up", "is_up_after_up",
            "secondary_ran_on_its_stack_and_saw_shared_memory", "secondary_got_the_contexts_iopl", "secondary_took_itself_down",
        })
        {
            Assert.Contains($"PASS {check}", run.Lines);
        }

        Assert.Equal([(run.Domain.Id, 1)], run.Host.CameUp);
        Assert.True(run.Domain.Vcpus[1].IsInitialised);
        Assert.False(run.Domain.Vcpus[1].IsOnline);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void A_refused_context_leaves_the_frame_counts_as_they_were(string arch)
    {
        // The guest's refused initialise (a writable data page offered as root table) must not keep any reference.
        using var run = new GuestRun(arch, "smp", options: new PvDomainOptions { VcpuCount = 2 });
        var before = SnapshotCounts(run);

        run.RunAllToEnd();

        var secondary = run.Domain.Vcpus[1];
        ulong root = secondary.Mmu.KernelRootMfn;
        Assert.NotEqual(0ul, root);
        var after = SnapshotCounts(run);
        // Only the accepted context's root table gained references (one general and one type reference).
        var changed = before.Keys.Where(m => before[m] != after[m]).ToList();
        Assert.Equal([root], changed);
        Assert.Equal((before[root].Ref + 1, before[root].Type + 1), after[root]);
    }

    private static Dictionary<ulong, (uint Ref, uint Type)> SnapshotCounts(GuestRun run)
    {
        var counts = new Dictionary<ulong, (uint, uint)>();
        var frames = run.Machine.Frames;
        for (ulong mfn = 0; mfn < frames.FrameCount; mfn++)
        {
            if (frames[mfn].Owner == run.Domain.Id)
            {
                counts[mfn] = (frames[mfn].RefCount, frames[mfn].TypeCount);
            }
        }

        return counts;
    }
}
