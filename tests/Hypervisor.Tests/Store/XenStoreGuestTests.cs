using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Store;
using ActorVisor.Hypervisor.Tests.Pv;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.Store;

/// <summary>
/// Boots the xenstore test guest with the store served as the host will serve it: the guest's
/// sends on the store port and the store's queued watch events both service the ring, and the
/// test plays the toolstack (it set up the guest's home and answers data/ping).
/// </summary>
public class XenStoreGuestTests
{
    private const int ChecksInGuest = 33;

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void The_xenstore_guest_passes_every_check_over_the_ring(string arch)
    {
        using var run = new GuestRun(arch, "xenstore");
        var events = new QueuedStoreEvents();
        var store = WithGuests(events: events);
        store.WriteString(Dom0, "/local/domain/1/domid", "1");
        store.WriteString(Dom0, "/tool/xenstored", "");
        store.IntroduceDomain(Dom0, run.Domain.Id);
        var backend = new StoreBackend(store, run.Domain);
        Assert.True(run.Host.Ports.Register(run.Domain.Id, backend.Port, () => backend.Service()));
        bool answered = false;

        var end = RunWithToolstack(run, () =>
        {
            if (!answered && store.Peek("/local/domain/1/data/ping") is [(byte)'1'])
            {
                answered = true;
                store.WriteString(Dom0, "/local/domain/1/control/shutdown", "poweroff");
            }

            if (events.TakeFor(run.Domain.Id))
            {
                backend.Service();
            }
        });

        var failures = run.Lines.Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + run.Console);
        Assert.Equal(ChecksInGuest, run.Lines.Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
        Assert.True(end.Outcome == SliceOutcome.ShutDown && end.Reason == ShutdownReason.Poweroff, $"{end}\n{run.Console}");
        Assert.True(answered);
        Assert.Equal("hello", store.ReadString(Dom0, "/local/domain/1/data/greeting"));
        Assert.False(backend.Connection.IsClosed);
        Assert.Equal(0, store.OpenTransactions);
    }

    private static SliceResult RunWithToolstack(GuestRun run, Action toolstack, long limitNs = 2_000_000_000)
    {
        while (true)
        {
            var result = run.Vcpu.RunSlice(100_000);
            toolstack();
            switch (result.Outcome)
            {
                case SliceOutcome.ShutDown:
                case SliceOutcome.Crashed:
                case SliceOutcome.Offline:
                    return result;
                case SliceOutcome.Blocked when run.Vcpu.IsBlocked:
                    if (!run.Vcpu.IdleToNextDeadline())
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
