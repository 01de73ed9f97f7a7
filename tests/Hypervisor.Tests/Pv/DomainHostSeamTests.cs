using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Pv.Events;

namespace ActorVisor.Hypervisor.Tests.Pv;

/// <summary>
/// The seam between domains: one domain's event channels reach another's only through the host,
/// port-table halves are answered at once, and a send lands only between the target's slices.
/// </summary>
public sealed class DomainHostSeamTests : IDisposable
{
    private static readonly DomId Listener = new(1);
    private static readonly DomId Binder = new(2);
    private readonly Machine _machine = Machine.WithMegabytes(1);
    private readonly TestDomainHost _host = new();
    private readonly SharedInfoPage _listenerShared;
    private readonly EventChannels _listener;
    private readonly EventChannels _binder;

    public DomainHostSeamTests()
    {
        Assert.True(_machine.TryAllocateSharedPage(Listener, out var first));
        Assert.True(_machine.TryAllocateSharedPage(Binder, out var second));
        _listenerShared = new SharedInfoPage(_machine, first, GuestWidth.Bits64, vcpuCount: 1);
        _listener = new EventChannels(_listenerShared, Listener, vcpuCount: 1, _host);
        _binder = new EventChannels(new SharedInfoPage(_machine, second, GuestWidth.Bits64, vcpuCount: 1), Binder, vcpuCount: 1, _host);
        _host.Add(Listener, _listener);
        _host.Add(Binder, _binder);
    }

    public void Dispose() => _machine.Dispose();

    private (uint Offered, uint Bound) Channel()
    {
        Assert.Equal(EventChannelError.None, _listener.AllocUnbound(Binder, out var offered));
        Assert.Equal(EventChannelError.None, _binder.BindInterdomain(Listener, offered, out var bound));
        return (offered, bound);
    }

    [Fact]
    public void Binding_another_domains_port_asks_the_host_for_the_peers_half()
    {
        var (offered, bound) = Channel();

        Assert.Equal([$"bind 1:{offered} from 2:{bound}"], _host.CrossDomain);
        Assert.Equal(new EventPort(EvtchnStatus.Interdomain, Binder, bound, 0, 0, false), _listener[offered]);
    }

    [Fact]
    public void A_bind_the_peer_refuses_gives_the_binders_port_back()
    {
        Assert.Equal(EventChannelError.None, _listener.AllocUnbound(new DomId(7), out var offeredElsewhere));

        Assert.Equal(EventChannelError.BadPort, _binder.BindInterdomain(Listener, offeredElsewhere, out var port));

        Assert.Equal(0u, port);
        Assert.Equal(EventChannelError.None, _binder.BindIpi(0, out var next));
        Assert.Equal(1u, next);
        Assert.Equal(EvtchnStatus.Unbound, _listener[offeredElsewhere].State);
    }

    [Fact]
    public void A_send_to_a_peer_in_the_middle_of_a_slice_lands_when_the_slice_ends()
    {
        var (offered, bound) = Channel();
        _host.BeginSlice(Listener);

        Assert.Equal(EventChannelError.None, _binder.Send(bound));

        Assert.False(_listener.IsPending(offered));
        Assert.DoesNotContain((Listener, 0), _host.Kicks);
        _host.EndSlice(Listener);
        Assert.True(_listener.IsPending(offered));
        Assert.True(_listenerShared.UpcallPending(0));
        Assert.Contains((Listener, 0), _host.Kicks);
    }

    [Fact]
    public void A_send_that_crossed_a_close_does_not_raise_the_port_reused_meanwhile()
    {
        var (offered, bound) = Channel();
        _host.BeginSlice(Listener);
        Assert.Equal(EventChannelError.None, _binder.Send(bound));

        Assert.Equal(EventChannelError.None, _listener.Close(offered));
        Assert.Equal(EventChannelError.None, _listener.BindIpi(0, out var reused));
        _host.EndSlice(Listener);

        Assert.Equal(offered, reused);
        Assert.False(_listener.IsPending(reused));
        Assert.Equal(EvtchnStatus.Unbound, _binder[bound].State);
    }

    [Fact]
    public void Closing_the_binders_end_reaches_the_peer_through_the_host_and_the_port_can_be_bound_again()
    {
        var (offered, bound) = Channel();

        Assert.Equal(EventChannelError.None, _binder.Close(bound));

        Assert.Equal($"close 1:{offered} from 2:{bound}", _host.CrossDomain[^1]);
        Assert.Equal(new EventPort(EvtchnStatus.Unbound, Binder, 0, 0, 0, false), _listener[offered]);
        Assert.Equal(EventChannelError.None, _binder.BindInterdomain(Listener, offered, out _));
    }

    [Fact]
    public void A_peer_close_that_names_another_port_leaves_the_channel_alone()
    {
        var (offered, bound) = Channel();

        _listener.PeerClosed(Binder, bound + 1, offered);

        Assert.Equal(EvtchnStatus.Interdomain, _listener[offered].State);
    }

    [Fact]
    public void A_loopback_channel_never_calls_the_host()
    {
        Assert.Equal(EventChannelError.None, _listener.AllocUnbound(DomId.Self, out var offered));
        Assert.Equal(EventChannelError.None, _listener.BindInterdomain(DomId.Self, offered, out var bound));

        Assert.Equal(EventChannelError.None, _listener.Send(bound));
        Assert.Equal(EventChannelError.None, _listener.Close(bound));

        Assert.True(_listener.IsPending(offered));
        Assert.Empty(_host.CrossDomain);
    }

    [Fact]
    public void Each_backend_port_has_one_owner_and_a_send_reaches_only_it()
    {
        var calls = new List<string>();
        var ports = new BackendPorts();
        Assert.True(ports.Register(Listener, 1, () => calls.Add("store")));
        Assert.True(ports.Register(Listener, 2, () => calls.Add("console")));
        Assert.False(ports.Register(Listener, 2, () => calls.Add("second console")));

        Assert.True(ports.Notify(Listener, 2));
        Assert.False(ports.Notify(Binder, 2));
        ports.UnregisterAll(Listener);

        Assert.False(ports.Notify(Listener, 1));
        Assert.Equal(["console"], calls);
    }
}
