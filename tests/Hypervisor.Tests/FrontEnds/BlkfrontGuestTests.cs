using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Store;
using ActorVisor.Hypervisor.Tests.Pv;
using ActorVisor.Hypervisor.Tests.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.FrontEnds;

/// <summary>
/// The disk guest (guests/tests/disk.c, over the SDK's blkfront) against a scripted blkif back
/// end: the XenBus handshake with the protocol of the guest's width, checksummed blocks written
/// across the disk and read back, a read past the end refused, a flush.
/// </summary>
public sealed class BlkfrontGuestTests
{
    [Theory]
    [InlineData("x86_64", "x86_64-abi")]
    [InlineData("x86_32", "x86_32-abi")]
    public void The_disk_guest_writes_and_verifies_blocks_across_the_disk_through_blkfront(string arch, string protocol)
    {
        using var run = new GuestRun(arch, "disk");
        var events = new QueuedStoreEvents();
        var store = WithGuests(events: events);
        store.IntroduceDomain(Dom0, run.Domain.Id);
        var backend = new StoreBackend(store, run.Domain);
        Assert.True(run.Host.Ports.Register(run.Domain.Id, backend.Port, () => backend.Service()));
        var disk = new ScriptedBlockBackend(store, run.Domain, sectors: 8192);

        var end = Run(run, () =>
        {
            bool notified = disk.Step();
            if (events.TakeFor(run.Domain.Id))
            {
                backend.Service();
            }

            return notified;
        });

        Assert.True(end.Outcome == SliceOutcome.ShutDown && end.Reason == ShutdownReason.Poweroff, $"{end}\n{run.Console}");
        var failures = run.Lines.Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + run.Console);
        foreach (var check in new[] { "PASS blkfront_connects", "PASS every_block_is_written", "PASS every_block_reads_back_what_was_written", "PASS a_read_past_the_end_is_refused", "PASS flush", "PASS disk" })
        {
            Assert.True(run.Lines.Contains(check), $"{check} missing:\n{run.Console}");
        }

        Assert.Equal(protocol, disk.Protocol);
        Assert.Equal("4", store.ReadString(Dom0, ScriptedBlockBackend.FrontendDir + "/state"));

        // 16 blocks written, 16 read, one refused read past the end, one flush.
        Assert.Equal((34, 1), (disk.Requests, disk.Refused));

        // The blocks are on the disk as the guest laid them out: the first and the last 4 KiB block, magic then their sector.
        Assert.Equal("DISK"u8.ToArray(), disk.Disk.AsSpan(0, 4).ToArray());
        int last = disk.Disk.Length - 4096;
        Assert.Equal("DISK"u8.ToArray(), disk.Disk.AsSpan(last, 4).ToArray());
        Assert.Equal((uint)(last / 512), BitConverter.ToUInt32(disk.Disk, last + 4));
    }

    /// <summary>Runs slices with the back end's step between them; a vCPU blocked with nothing notified idles to its next deadline.</summary>
    private static SliceResult Run(GuestRun run, Func<bool> between, long limitNs = 20_000_000_000)
    {
        while (true)
        {
            var result = run.Vcpu.RunSlice(100_000);
            bool notified = between();
            switch (result.Outcome)
            {
                case SliceOutcome.ShutDown:
                case SliceOutcome.Crashed:
                case SliceOutcome.Offline:
                    return result;
                case SliceOutcome.Blocked when run.Vcpu.IsBlocked:
                    if (!notified && !run.Vcpu.IdleToNextDeadline())
                    {
                        return result;
                    }

                    break;
            }

            if (run.Domain.Clock.NowNs >= limitNs)
            {
                return result;
            }
        }
    }
}
