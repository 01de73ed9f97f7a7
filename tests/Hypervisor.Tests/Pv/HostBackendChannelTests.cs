using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>A guest's port allocated unbound for an IOPM's domain id, connected by the host back-end, used both ways, and let go.</summary>
public sealed class HostBackendChannelTests : IDisposable
{
    private static readonly DomId Guest = new(1);
    private static readonly DomId Iopm = new(4);
    private readonly Machine _machine = Machine.WithMegabytes(1);
    private readonly SharedInfoPage _shared;
    private readonly EventChannels _events;
    private readonly TestDomainHost _host = new();

    public HostBackendChannelTests()
    {
        Assert.True(_machine.TryAllocateSharedPage(Guest, out var mfn));
        _shared = new SharedInfoPage(_machine, mfn, GuestWidth.Bits64, vcpuCount: 1);
        _events = new EventChannels(_shared, Guest, vcpuCount: 1, _host);
        _host.Add(Guest, _events);
    }

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void A_port_unbound_for_the_iopm_becomes_interdomain_to_it_and_sends_reach_the_host()
    {
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(Iopm, out var port));

        Assert.Equal(EventChannelError.None, _events.BindUnboundToHostBackend(port, Iopm, backendPort: 7));

        Assert.Equal(new EventPort(EvtchnStatus.Interdomain, Iopm, 7, 0, 0, HostBackend: true), _events[port]);
        Assert.Equal(EventChannelError.None, _events.Send(port));
        Assert.Equal([(Guest, port)], _host.BackendSends);
    }

    [Fact]
    public void A_back_end_may_connect_only_to_an_unbound_port_allocated_for_its_own_domain()
    {
        Assert.Equal(EventChannelError.None, _events.AllocUnbound(new DomId(9), out var forOther));
        Assert.Equal(EventChannelError.None, _events.BindIpi(0, out var ipi));

        Assert.Equal(EventChannelError.NotAllowedForDomain, _events.BindUnboundToHostBackend(forOther, Iopm, 1));
        Assert.Equal(EventChannelError.BadPort, _events.BindUnboundToHostBackend(ipi, Iopm, 1));
        Assert.Equal(EventChannelError.BadPort, _events.BindUnboundToHostBackend(0, Iopm, 1));
        Assert.Equal(EventChannelError.BadPort, _events.BindUnboundToHostBackend(60_000, Iopm, 1));
        Assert.Equal(EvtchnStatus.Unbound, _events[forOther].State);
        Assert.Equal(XenErrno.Inval, EventChannelError.NotAllowedForDomain.ToErrno());
    }

    [Fact]
    public void A_back_end_notification_raises_the_port_only_while_it_is_bound_to_that_back_end()
    {
        _events.AllocUnbound(Iopm, out var port);
        _events.BindUnboundToHostBackend(port, Iopm, 1);

        _events.NotifyFromBackend(port, new DomId(8));
        Assert.False(_events.IsPending(port));
        _events.NotifyFromBackend(port, Iopm);
        Assert.True(_events.IsPending(port));
        Assert.True(_shared.UpcallPending(0));
        Assert.Equal([(Guest, 0)], _host.Kicks);
    }

    [Fact]
    public void When_the_back_end_lets_go_the_port_is_unbound_for_it_again_and_sends_are_dropped()
    {
        _events.AllocUnbound(Iopm, out var port);
        _events.BindUnboundToHostBackend(port, Iopm, 1);

        _events.UnbindHostBackend(port, new DomId(8));
        Assert.True(_events[port].HostBackend);
        _events.UnbindHostBackend(port, Iopm);

        Assert.Equal(new EventPort(EvtchnStatus.Unbound, Iopm, 0, 0, 0, HostBackend: false), _events[port]);
        Assert.Equal(EventChannelError.None, _events.Send(port));
        Assert.Empty(_host.BackendSends);
        _events.NotifyFromBackend(port, Iopm);
        Assert.False(_events.IsPending(port));
        Assert.Equal(EventChannelError.None, _events.BindUnboundToHostBackend(port, Iopm, 2));
    }
}
