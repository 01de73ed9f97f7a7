using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

/// <summary>
/// A vif's back-end re-attached after its host restarted it: the same rings (its private indices
/// rebuilt from the shared ones), the frames the switch had queued for the guest kept, tx requests
/// published meanwhile taken, and the watchdog's view of unanswered work.
/// </summary>
public sealed class NetBackendRecoveryTests
{
    private readonly VirtualSwitch _bridge = new("xenbr0");

    [Fact]
    public void A_reattached_vif_carries_on_both_rings_and_keeps_the_frames_queued_for_its_guest()
    {
        var a = new TestVif(_bridge, Frames.A);
        var b = new TestVif(_bridge, Frames.B);
        var faults = new ScriptedFaults();
        b.Backend.Faults = faults;

        // One frame through before the restart, so that both rings' indices have moved.
        a.Send(Frames.Raw(Frames.B, Frames.A, 100, seed: 1));
        Assert.Single(b.Receive());

        // A frame queued for b, and one b's guest publishes on tx, while b's back-end is down.
        a.Send(Frames.Raw(Frames.B, Frames.A, 200, seed: 2));
        b.Frontend.QueueTx(Frames.Raw(Frames.A, Frames.B, 300, seed: 3));
        b.Frontend.PushTx();
        Assert.True(b.Backend.HasUnansweredWork);

        var result = b.Backend.Reattach(b.Frontend.Link);

        Assert.True(result.Recovered, result.Failure);
        Assert.Equal(1, result.Replayed);
        Assert.False(b.Backend.HasUnansweredWork);
        var received = b.Frontend.TakeRxPackets();
        Assert.Equal(Frames.Raw(Frames.B, Frames.A, 200, seed: 2), Assert.Single(received).Data);
        Assert.Equal(NetifStatus.Okay, Assert.Single(b.Frontend.TakeTxResponses()).Status);
        Assert.Equal(Frames.Raw(Frames.A, Frames.B, 300, seed: 3), Assert.Single(a.Receive()).Data);
        Assert.Equal(["reattach", "replay"], faults.Steps.Select(s => s.Step));
        Assert.Equal(0, b.Backend.UnansweredRequests);
        Assert.Equal(2, b.Frontend.Grants.MappedPages);
    }

    [Fact]
    public void A_reattach_to_a_front_end_whose_ring_keys_are_gone_fails_with_the_reason()
    {
        var vif = new TestVif(_bridge, Frames.A);
        vif.Frontend.Keys.Remove("tx-ring-ref");
        var result = vif.Backend.Reattach(vif.Frontend.Link);
        Assert.False(result.Recovered);
        Assert.Contains("tx-ring-ref", result.Failure, StringComparison.Ordinal);
        Assert.False(vif.Backend.IsConnected);
        Assert.Equal(0, vif.Frontend.Grants.MappedPages);
    }
}
