using ActorVisor.Abi;
using ActorVisor.Hypervisor.Events;

namespace ActorVisor.Hypervisor.Tests.Events;

public sealed class EventChannelTests : IDisposable
{
    private readonly Machine _machine = new(64);
    private readonly Dictionary<DomId, EventChannelTable> _tables = [];
    private readonly List<int> _kicks = [];
    private readonly Dictionary<DomId, ulong> _sharedMfns = [];

    public EventChannelTests()
    {
        Guest = Create(new DomId(1), GuestWidth.Bits64, privileged: false);
        Dom0 = Create(DomId.Dom0, GuestWidth.Bits64, privileged: true);
        Guest.VcpuKicked += _kicks.Add;
    }

    private EventChannelTable Guest { get; }

    private EventChannelTable Dom0 { get; }

    private EventChannelTable Create(DomId id, GuestWidth width, bool privileged)
    {
        Assert.True(_machine.TryAllocateSharedPage(id, out var mfn));
        var table = new EventChannelTable(id, new SharedInfoPage(_machine.Memory, mfn, width), vcpuCount: 2, privileged, d => _tables.GetValueOrDefault(d));
        _tables[id] = table;
        _sharedMfns[id] = mfn;
        return table;
    }

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void Ports_are_allocated_lowest_first_and_port_0_stays_reserved()
    {
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, DomId.Dom0, out var first));
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, DomId.Dom0, out var second));
        Assert.Equal((1u, 2u), (first, second));
        Assert.Equal(EventChannelError.BadPort, Guest.Close(0));

        Assert.Equal(EventChannelError.None, Guest.Close(first));
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, DomId.Dom0, out var reused));
        Assert.Equal(1u, reused);
    }

    [Fact]
    public void Binding_an_offered_port_connects_both_ends_and_marks_the_new_end_pending()
    {
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, DomId.Dom0, out var guestPort));

        Assert.Equal(EventChannelError.None, Dom0.BindInterdomain(Guest.Owner, guestPort, out var dom0Port));

        Assert.Equal(PortState.Interdomain, Guest.StateOf(guestPort));
        Assert.Equal(PortState.Interdomain, Dom0.StateOf(dom0Port));
        Assert.True(Dom0.Shared.IsPending(dom0Port));
        Assert.Equal(EventChannelError.None, Guest.Status(DomId.Self, guestPort, out var status));
        Assert.Equal(new PortStatus(EvtchnStatus.Interdomain, 0, DomId.Dom0, dom0Port, 0), status);
    }

    [Fact]
    public void A_port_offered_to_another_domain_cannot_be_bound()
    {
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, new DomId(7), out var port));

        var error = Dom0.BindInterdomain(Guest.Owner, port, out _);

        Assert.Equal(XenErrno.Inval, error.ToErrno());
    }

    [Fact]
    public void Send_sets_the_peer_pending_and_raises_its_upcall_when_unmasked()
    {
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, DomId.Dom0, out var guestPort));
        Assert.Equal(EventChannelError.None, Dom0.BindInterdomain(Guest.Owner, guestPort, out var dom0Port));

        Assert.Equal(EventChannelError.None, Dom0.Send(dom0Port));

        Assert.True(Guest.Shared.IsPending(guestPort));
        Assert.Equal(1, Guest.Shared.UpcallPending(0));
        Assert.Equal([0], _kicks);
    }

    [Fact]
    public void A_masked_port_becomes_pending_without_an_upcall_until_unmasked()
    {
        Assert.Equal(EventChannelError.None, Guest.BindIpi(0, out var port));
        MaskPort(Guest, port);

        Assert.Equal(EventChannelError.None, Guest.Send(port));
        Assert.True(Guest.Shared.IsPending(port));
        Assert.Equal(0, Guest.Shared.UpcallPending(0));

        Assert.Equal(EventChannelError.None, Guest.Unmask(port));
        Assert.Equal(1, Guest.Shared.UpcallPending(0));
    }

    [Fact]
    public void Send_on_a_closed_port_is_refused_with_EINVAL_and_on_an_unbound_port_is_dropped()
    {
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, DomId.Dom0, out var port));
        Assert.Equal(EventChannelError.None, Guest.Send(port));
        Assert.False(Guest.Shared.IsPending(port));

        Assert.Equal(EventChannelError.None, Guest.Close(port));
        Assert.Equal(XenErrno.Inval, Guest.Send(port).ToErrno());
        Assert.Equal(XenErrno.Inval, Guest.Close(port).ToErrno());
    }

    [Fact]
    public void Closing_one_end_of_an_interdomain_channel_returns_the_peer_to_unbound()
    {
        Assert.Equal(EventChannelError.None, Guest.AllocUnbound(DomId.Self, DomId.Dom0, out var guestPort));
        Assert.Equal(EventChannelError.None, Dom0.BindInterdomain(Guest.Owner, guestPort, out var dom0Port));

        Assert.Equal(EventChannelError.None, Dom0.Close(dom0Port));

        Assert.Equal(PortState.Unbound, Guest.StateOf(guestPort));
        Assert.Equal(EventChannelError.None, Dom0.BindInterdomain(Guest.Owner, guestPort, out _));
    }

    [Fact]
    public void VIRQ_binding_follows_Xens_rules()
    {
        Assert.Equal(EventChannelError.None, Guest.BindVirq((uint)Virq.Timer, 1, out var timer));
        Assert.Equal(XenErrno.Exist, Guest.BindVirq((uint)Virq.Timer, 1, out _).ToErrno());
        Assert.Equal(XenErrno.Inval, Guest.BindVirq(24, 0, out _).ToErrno());
        Assert.Equal(XenErrno.Inval, Guest.BindVirq((uint)Virq.DomExc, 1, out _).ToErrno());
        Assert.Equal(XenErrno.NoEnt, Guest.BindVirq((uint)Virq.Timer, 5, out _).ToErrno());
        Assert.Equal(XenErrno.Busy, Guest.BindVirq((uint)Virq.DomExc, 0, out _).ToErrno());
        Assert.Equal(EventChannelError.None, Dom0.BindVirq((uint)Virq.DomExc, 0, out _));

        Assert.True(Guest.RaiseVirq(Virq.Timer, 1));
        Assert.True(Guest.Shared.IsPending(timer));
        Assert.Equal(1, Guest.Shared.UpcallPending(1));
        Assert.False(Guest.RaiseVirq(Virq.Timer, 0));
    }

    [Fact]
    public void Status_of_a_free_port_is_closed_and_of_another_domain_needs_privilege()
    {
        Assert.Equal(EventChannelError.None, Guest.Status(DomId.Self, 9, out var status));
        Assert.Equal(EvtchnStatus.Closed, status.Status);
        Assert.Equal(XenErrno.Perm, Guest.Status(DomId.Dom0, 1, out _).ToErrno());
        Assert.Equal(XenErrno.Srch, Guest.Status(new DomId(44), 1, out _).ToErrno());
        Assert.Equal(EventChannelError.None, Dom0.Status(Guest.Owner, 1, out _));
    }

    [Fact]
    public void A_32_bit_domain_has_1024_ports_with_32_bit_selector_words()
    {
        var small = Create(new DomId(3), GuestWidth.Bits32Pae, privileged: false);
        Assert.Equal(1024, small.MaxPorts);
        for (int i = 1; i < 40; i++)
        {
            Assert.Equal(EventChannelError.None, small.BindIpi(0, out _));
        }

        Assert.Equal(EventChannelError.None, small.Send(35));

        Assert.True(small.Shared.IsPending(35));
        Assert.True(small.Shared.TestAndSetSelector(0, 1));
    }

    private void MaskPort(EventChannelTable table, uint port)
    {
        // The guest owns the mask bits; write them as the guest would, through the shared page.
        Assert.False(table.Shared.IsMasked(port));
        _machine.Memory.Frame(_sharedMfns[table.Owner])[SharedInfoLayout.Bits64.EvtchnMask + (int)(port / 8)] |= (byte)(1 << (int)(port % 8));
        Assert.True(table.Shared.IsMasked(port));
    }
}
