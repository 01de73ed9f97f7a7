using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Tests.Pv;

public sealed class EventChannelsTests : IDisposable
{
    private readonly Machine _machine = Machine.WithMegabytes(1);
    private readonly SharedInfoPage _shared;
    private readonly EventChannels _events;
    private readonly TestDomainHost _host = new();

    public EventChannelsTests()
    {
        Assert.True(_machine.TryAllocateSharedPage(new DomId(1), out var mfn));
        _shared = new SharedInfoPage(_machine, mfn, GuestWidth.Bits64, vcpuCount: 1);
        _events = new EventChannels(_shared, new DomId(1), vcpuCount: 1, _host);
        _host.Add(new DomId(1), _events);
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
        Assert.True(_host.Ports.Register(new DomId(1), 2, () => notified.Add(2)));
        _events.BindHostBackend(2, DomId.Dom0);

        _events.Send(2);

        Assert.Equal([2u], notified);
        Assert.Equal([(new DomId(1), 2u)], _host.BackendSends);
    }

    [Fact]
    public void A_send_on_an_unbound_port_is_dropped_without_marking_it_pending()
    {
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(DomId.Dom0, out var port));

        Assert.Equal(EventChannelError.None, _events.Send(port));

        Assert.False(_events.IsPending(port));
        Assert.False(_shared.UpcallPending(0));
    }

    [Fact]
    public void A_port_offered_to_another_domain_cannot_be_bound_from_this_one()
    {
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(new DomId(7), out var port));

        Assert.Equal(XenErrno.Inval, _events.BindInterdomain(DomId.Self, port, out _).ToErrno());
        Assert.Equal(XenErrno.Srch, _events.BindInterdomain(new DomId(7), port, out _).ToErrno());
        Assert.Equal(EvtchnStatus.Unbound, _events[port].State);
    }

    [Fact]
    public void A_send_kicks_the_notified_vcpu_once_until_its_upcall_is_cleared()
    {
        Assert.Equal(EventChannelError.None, _events.BindIpi(0, out var first));
        Assert.Equal(EventChannelError.None, _events.BindIpi(0, out var second));

        Assert.Equal(EventChannelError.None, _events.Send(first));
        Assert.Equal(EventChannelError.None, _events.Send(second));

        Assert.True(_events.IsPending(first) && _events.IsPending(second));
        Assert.True(_shared.UpcallPending(0));
        Assert.Equal([(new DomId(1), 0)], _host.Kicks);
    }

    [Fact]
    public void Per_vcpu_virqs_are_bound_and_raised_per_vcpu_and_global_ones_only_on_vcpu_0()
    {
        Assert.True(_machine.TryAllocateSharedPage(new DomId(2), out var mfn));
        var shared = new SharedInfoPage(_machine, mfn, GuestWidth.Bits64, vcpuCount: 2);
        var events = new EventChannels(shared, new DomId(2), vcpuCount: 2, _host);

        Assert.Equal(EventChannelError.None, events.BindVirq((uint)Virq.Timer, 1, out var timer));
        Assert.Equal(XenErrno.Exist, events.BindVirq((uint)Virq.Timer, 1, out _).ToErrno());
        Assert.Equal(XenErrno.Inval, events.BindVirq((uint)Virq.DomExc, 1, out _).ToErrno());
        Assert.Equal(XenErrno.NoEnt, events.BindVirq((uint)Virq.Timer, 5, out _).ToErrno());
        Assert.Equal(XenErrno.Busy, events.BindVirq((uint)Virq.DomExc, 0, out _).ToErrno());

        Assert.True(events.RaiseVirq(Virq.Timer, 1));
        Assert.True(events.IsPending(timer));
        Assert.True(shared.UpcallPending(1));
        Assert.False(shared.UpcallPending(0));
        Assert.False(events.RaiseVirq(Virq.Timer, 0));
    }

    [Fact]
    public void A_32_bit_domain_has_1024_ports_with_32_bit_selector_words()
    {
        Assert.True(_machine.TryAllocateSharedPage(new DomId(3), out var mfn));
        var shared = new SharedInfoPage(_machine, mfn, GuestWidth.Bits32Pae, vcpuCount: 1);
        var events = new EventChannels(shared, new DomId(3), vcpuCount: 1, _host);
        Assert.Equal(1024, events.PortCount);
        for (int i = 1; i < 40; i++)
        {
            Assert.Equal(EventChannelError.None, events.BindIpi(0, out _));
        }

        Assert.Equal(EventChannelError.None, events.Send(35));

        Assert.True(events.IsPending(35));
        Assert.True(shared.TestAndSetPendingSel(0, 1));
        Assert.False(shared.TestAndSetPendingSel(0, 0));
    }

    /// <summary>This test's domain 1 and a second domain 2 that can find each other.</summary>
    private EventChannels Connect()
    {
        Assert.True(_machine.TryAllocateSharedPage(new DomId(2), out var mfn));
        var other = new EventChannels(new SharedInfoPage(_machine, mfn, GuestWidth.Bits64, vcpuCount: 1), new DomId(2), vcpuCount: 1, _host);
        _host.Add(new DomId(2), other);
        return other;
    }

    [Fact]
    public void Binding_a_port_offered_by_another_domain_connects_both_ends_and_marks_the_new_end_pending()
    {
        var other = Connect();
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(new DomId(2), out var offered));

        Assert.Equal(EventChannelError.None, other.BindInterdomain(new DomId(1), offered, out var bound));

        Assert.Equal(new EventPort(EvtchnStatus.Interdomain, new DomId(2), bound, 0, 0, false), _events[offered]);
        Assert.Equal(new EventPort(EvtchnStatus.Interdomain, new DomId(1), offered, 0, 0, false), other[bound]);
        Assert.True(other.IsPending(bound));
        Assert.False(_events.IsPending(offered));
    }

    [Fact]
    public void A_send_across_domains_sets_the_peer_pending_and_kicks_its_vcpu()
    {
        var other = Connect();
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(new DomId(2), out var offered));
        Assert.Equal(EventChannelError.None, other.BindInterdomain(new DomId(1), offered, out var bound));

        Assert.Equal(EventChannelError.None, other.Send(bound));

        Assert.True(_events.IsPending(offered));
        Assert.True(_shared.UpcallPending(0));
        Assert.Equal([(new DomId(1), 0)], _host.Kicks.Where(k => k.Domain == new DomId(1)));
    }

    [Fact]
    public void A_port_offered_to_one_domain_cannot_be_bound_by_another_and_unknown_domains_are_refused()
    {
        var other = Connect();
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(new DomId(7), out var offered));

        Assert.Equal(XenErrno.Inval, other.BindInterdomain(new DomId(1), offered, out _).ToErrno());
        Assert.Equal(XenErrno.Srch, other.BindInterdomain(new DomId(9), offered, out _).ToErrno());
        Assert.Equal(EvtchnStatus.Unbound, _events[offered].State);
    }

    [Fact]
    public void Closing_one_end_of_an_interdomain_channel_returns_the_peer_to_unbound_for_the_closer()
    {
        var other = Connect();
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(new DomId(2), out var offered));
        Assert.Equal(EventChannelError.None, other.BindInterdomain(new DomId(1), offered, out var bound));

        Assert.Equal(EventChannelError.None, other.Close(bound));

        Assert.Equal(EvtchnStatus.Unbound, _events[offered].State);
        Assert.Equal(new DomId(2), _events[offered].RemoteDom);
        Assert.Equal(EventChannelError.None, other.BindInterdomain(new DomId(1), offered, out _));
    }
}
