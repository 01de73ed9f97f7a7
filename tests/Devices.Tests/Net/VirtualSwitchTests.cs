using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

public sealed class VirtualSwitchTests
{
    private static EthernetFrame Frame(MacAddress to, MacAddress from, byte seed = 0) => new(Frames.Raw(to, from, 60, seed));

    [Fact]
    public void A_broadcast_is_flooded_to_every_port_but_the_one_it_came_from()
    {
        var bridge = new VirtualSwitch("xenbr0");
        var (p1, p2, p3) = (new ProbePort("1"), new ProbePort("2"), new ProbePort("3"));
        var s1 = bridge.Attach(p1);
        bridge.Attach(p2);
        bridge.Attach(p3);

        s1.Send(Frame(MacAddress.Broadcast, Frames.A));

        Assert.Empty(p1.Frames);
        Assert.Single(p2.Frames);
        Assert.Single(p3.Frames);
    }

    [Fact]
    public void A_multicast_destination_is_flooded_even_if_some_port_sent_from_it_never_learned()
    {
        var bridge = new VirtualSwitch("xenbr0");
        var (p1, p2) = (new ProbePort("1"), new ProbePort("2"));
        var s1 = bridge.Attach(p1);
        var s2 = bridge.Attach(p2);
        var multicast = new MacAddress(0x01005E000001);

        s2.Send(Frame(Frames.A, multicast)); // group source: dropped, not learned
        s1.Send(Frame(multicast, Frames.A));

        Assert.Single(p2.Frames);
        Assert.Empty(p1.Frames);
        Assert.Null(bridge.LearnedPort(multicast));
        Assert.Equal(1, bridge.Dropped);
    }

    [Fact]
    public void A_frame_to_a_mac_learned_on_its_own_port_is_not_reflected()
    {
        var bridge = new VirtualSwitch("xenbr0");
        var (p1, p2) = (new ProbePort("1"), new ProbePort("2"));
        var s1 = bridge.Attach(p1);
        bridge.Attach(p2);

        s1.Send(Frame(Frames.C, Frames.A));
        s1.Send(Frame(Frames.A, Frames.B)); // A lives behind port 1, the sender itself

        Assert.Single(p2.Frames); // only the first (flooded) frame
        Assert.Empty(p1.Frames);
        Assert.Equal(1, bridge.Dropped);
    }

    [Fact]
    public void A_station_that_moves_is_learned_on_its_new_port()
    {
        var bridge = new VirtualSwitch("xenbr0");
        var (p1, p2, p3) = (new ProbePort("1"), new ProbePort("2"), new ProbePort("3"));
        var s1 = bridge.Attach(p1);
        var s2 = bridge.Attach(p2);
        var s3 = bridge.Attach(p3);
        s1.Send(Frame(MacAddress.Broadcast, Frames.A));
        s2.Send(Frame(MacAddress.Broadcast, Frames.A));

        s3.Send(Frame(Frames.A, Frames.C));

        Assert.Same(p2, bridge.LearnedPort(Frames.A));
        Assert.Equal(2, p2.Frames.Count);
        Assert.Single(p1.Frames);
    }

    [Fact]
    public void A_full_table_learns_no_new_source_and_frames_to_it_are_flooded()
    {
        var bridge = new VirtualSwitch("xenbr0", macTableLimit: 2);
        var (p1, p2, p3) = (new ProbePort("1"), new ProbePort("2"), new ProbePort("3"));
        var s1 = bridge.Attach(p1);
        var s2 = bridge.Attach(p2);
        bridge.Attach(p3);
        s1.Send(Frame(MacAddress.Broadcast, Frames.A));
        s1.Send(Frame(MacAddress.Broadcast, Frames.B));
        s2.Send(Frame(MacAddress.Broadcast, Frames.C)); // table full: C not learned

        Assert.Equal(2, bridge.LearnedAddresses);
        Assert.Equal(1, bridge.TableFullEvents);
        Assert.Same(p1, bridge.LearnedPort(Frames.A));
        Assert.Null(bridge.LearnedPort(Frames.C));
        p3.Frames.Clear();
        s1.Send(Frame(Frames.C, Frames.A));
        Assert.Single(p3.Frames);
    }

    [Fact]
    public void With_a_clock_an_entry_not_refreshed_for_the_ageing_time_is_forgotten()
    {
        var clock = new FixedClock(DateTimeOffset.UnixEpoch);
        var bridge = new VirtualSwitch("xenbr0", macTableLimit: 1, clock, TimeSpan.FromSeconds(10));
        var (p1, p2, p3) = (new ProbePort("1"), new ProbePort("2"), new ProbePort("3"));
        var s1 = bridge.Attach(p1);
        var s2 = bridge.Attach(p2);
        bridge.Attach(p3);
        s1.Send(Frame(MacAddress.Broadcast, Frames.A));

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Same(p1, bridge.LearnedPort(Frames.A));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(bridge.LearnedPort(Frames.A));

        s2.Send(Frame(MacAddress.Broadcast, Frames.B)); // the aged entry makes room
        Assert.Same(p2, bridge.LearnedPort(Frames.B));
        Assert.Equal(0, bridge.TableFullEvents);
    }

    [Fact]
    public void A_detached_port_gets_nothing_and_its_macs_are_forgotten()
    {
        var bridge = new VirtualSwitch("xenbr0");
        var (p1, p2) = (new ProbePort("1"), new ProbePort("2"));
        var s1 = bridge.Attach(p1);
        var s2 = bridge.Attach(p2);
        s2.Send(Frame(MacAddress.Broadcast, Frames.B));

        s2.Detach();
        s1.Send(Frame(Frames.B, Frames.A));
        s2.Send(Frame(Frames.A, Frames.B));

        Assert.Empty(p2.Frames);
        Assert.Empty(p1.Frames.Skip(1));
        Assert.Null(bridge.LearnedPort(Frames.B));
        Assert.Equal(1, bridge.PortCount);
    }

    [Fact]
    public void A_runt_shorter_than_a_header_is_dropped()
    {
        var bridge = new VirtualSwitch("xenbr0");
        var p2 = new ProbePort("2");
        var s1 = bridge.Attach(new ProbePort("1"));
        bridge.Attach(p2);

        s1.Send(new EthernetFrame(new byte[13]));

        Assert.Empty(p2.Frames);
        Assert.Equal(1, bridge.Dropped);
    }

    [Fact]
    public void Ports_sending_from_several_threads_lose_no_frame_and_learn_every_source()
    {
        var bridge = new VirtualSwitch("xenbr0");
        var sink = new CountingPort();
        bridge.Attach(sink);
        var senders = Enumerable.Range(0, 4).Select(i => bridge.Attach(new ProbePort($"s{i}"))).ToArray();
        const int PerThread = 2000;

        var threads = senders.Select((port, i) => new Thread(() =>
        {
            var source = MacAddress.ForVif(10 + i, 0);
            for (var k = 0; k < PerThread; k++)
            {
                port.Send(Frame(MacAddress.ForVif(99, k % 3), source));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(4 * PerThread, sink.Count);
        Assert.Equal(4, bridge.LearnedAddresses);
    }

    [Fact]
    public void Vifs_naming_the_same_bridge_share_one_switch_and_no_name_means_xenbr0()
    {
        var bridges = new Bridges();
        Assert.Same(bridges.For("xenbr0"), bridges.For(null));
        Assert.Same(bridges.For(""), bridges.For("xenbr0"));
        Assert.NotSame(bridges.For("xenbr1"), bridges.For("xenbr0"));
        Assert.Equal(["xenbr0", "xenbr1"], bridges.All.Select(b => b.Name));
    }

    private sealed class CountingPort : IFramePort
    {
        private int _count;

        public string Name => "sink";

        public int Count => Volatile.Read(ref _count);

        public void Deliver(EthernetFrame frame) => Interlocked.Increment(ref _count);
    }
}
