using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Tests.Pv;

public sealed class EventChannelsTests : IDisposable
{
    private readonly Machine _machine = Machine.WithMegabytes(1);
    private readonly SharedInfoPage _shared;
    private readonly EventChannels _events;

    public EventChannelsTests()
    {
        Assert.True(_machine.TryAllocateSharedPage(new DomId(1), out var mfn));
        _shared = new SharedInfoPage(_machine, mfn, GuestWidth.Bits64, vcpuCount: 1);
        _events = new EventChannels(_shared, new DomId(1), vcpuCount: 1);
    }

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void Send_on_a_closed_port_is_refused_with_einval()
    {
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(DomId.Dom0, out var port));
        Assert.Equal(EventChannelError.None, _events.Close(port));

        Assert.Equal(XenErrno.Inval, _events.Send(port).ToErrno());
        Assert.Equal(XenErrno.Inval, _events.Close(port).ToErrno());
    }

    [Fact]
    public void Port_zero_is_never_allocated_and_ports_are_the_lowest_free()
    {
        _events.AllocUnbound(DomId.Dom0, out var first);
        _events.AllocUnbound(DomId.Dom0, out var second);
        _events.Close(first);
        _events.AllocUnbound(DomId.Dom0, out var third);

        Assert.Equal(1u, first);
        Assert.Equal(2u, second);
        Assert.Equal(1u, third);
    }

    [Fact]
    public void A_virq_raises_pending_selector_and_upcall_when_unmasked()
    {
        _events.BindVirq((uint)Virq.Timer, 0, out var port);

        Assert.True(_events.RaiseVirq(Virq.Timer, 0));

        Assert.True(_events.IsPending(port));
        Assert.True(_shared.UpcallPending(0));
    }

    [Fact]
    public void A_masked_port_becomes_pending_without_an_upcall_until_unmasked()
    {
        _events.BindVirq((uint)Virq.Timer, 0, out var port);
        _shared.TestAndSetBit(_shared.Layout.EvtchnMask, port);

        _events.RaiseVirq(Virq.Timer, 0);
        Assert.True(_events.IsPending(port));
        Assert.False(_shared.UpcallPending(0));

        _events.Unmask(port);
        Assert.True(_shared.UpcallPending(0));
    }

    [Fact]
    public void A_virq_cannot_be_bound_twice_on_one_vcpu_and_global_virqs_belong_to_dom0()
    {
        _events.BindVirq((uint)Virq.Timer, 0, out _);

        Assert.Equal(XenErrno.Exist, _events.BindVirq((uint)Virq.Timer, 0, out _).ToErrno());
        Assert.Equal(XenErrno.Busy, _events.BindVirq((uint)Virq.Console, 0, out _).ToErrno());
        Assert.Equal(XenErrno.Inval, _events.BindVirq(24, 0, out _).ToErrno());
        Assert.Equal(XenErrno.NoEnt, _events.BindVirq((uint)Virq.Debug, 3, out _).ToErrno());
    }

    [Fact]
    public void A_loopback_channel_sets_the_new_port_pending_and_carries_sends_to_the_peer()
    {
        _events.AllocUnbound(DomId.Self, out var unbound);
        Assert.Equal(EventChannelError.None, _events.BindInterdomain(DomId.Self, unbound, out var local));
        Assert.True(_events.IsPending(local));

        _events.Send(local);
        Assert.True(_events.IsPending(unbound));

        _events.Close(local);
        Assert.Equal(EvtchnStatus.Unbound, _events[unbound].State);
    }

    [Fact]
    public void A_send_on_a_host_backend_port_notifies_the_backend()
    {
        var notified = new List<uint>();
        _events.BackendNotified = notified.Add;
        _events.BindHostBackend(2, DomId.Dom0);

        _events.Send(2);

        Assert.Equal([2u], notified);
    }
}
