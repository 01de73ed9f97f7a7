using System.Net;
using System.Net.Sockets;
using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

public sealed class LoopbackUdpPortTests
{
    [Theory]
    [InlineData("0.0.0.0", "127.0.0.1")]
    [InlineData("127.0.0.1", "10.1.2.3")]
    [InlineData("127.0.0.2", "127.0.0.1")]
    public void Any_address_but_127_0_0_1_is_refused(string local, string peer)
    {
        Assert.False(LoopbackUdpPort.TryOpen(new IPEndPoint(IPAddress.Parse(local), 0), new IPEndPoint(IPAddress.Parse(peer), 9), out var port, out var error));
        Assert.Null(port);
        Assert.Contains("127.0.0.1 only", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_socket_and_a_vif_exchange_frames_through_the_switch()
    {
        var bridge = new VirtualSwitch("xenbr0");
        using var host = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        host.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.True(LoopbackUdpPort.TryOpen(new IPEndPoint(IPAddress.Loopback, 0), (IPEndPoint)host.LocalEndPoint!, out var port, out var error), error);
        using var endpoint = port!;
        endpoint.Plug(bridge);
        var vif = new TestVif(bridge, Frames.B);
        var hostMac = new MacAddress(0x02_00_00_00_00_01);

        var toGuest = Frames.Raw(Frames.B, hostMac, 200, 3);
        host.SendTo(toGuest, endpoint.LocalEndPoint);
        host.SendTo(new byte[5], endpoint.LocalEndPoint); // a runt: refused
        // Loopback delivery is immediate; the bound only keeps a broken socket from hanging the test.
        Assert.True(SpinWait.SpinUntil(() => endpoint.Poll() >= 0 && endpoint.FramesReceived + endpoint.DatagramsRefused == 2, 5000));
        Assert.Equal(1, endpoint.FramesReceived);
        Assert.Equal(toGuest, Assert.Single(vif.Receive()).Data);
        Assert.Equal(1, endpoint.DatagramsRefused);

        var fromGuest = Frames.Raw(hostMac, Frames.B, 300, 4);
        vif.Send(fromGuest);
        var buffer = new byte[2000];
        Assert.True(host.Poll(5_000_000, SelectMode.SelectRead)); // a safety bound only: loopback delivery is immediate
        var length = host.Receive(buffer);
        Assert.Equal(fromGuest, buffer.AsSpan(0, length).ToArray());
        Assert.Equal(1, endpoint.FramesSent);
    }
}
