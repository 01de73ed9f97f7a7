using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

/// <summary>A connected vif for tests: a <see cref="NetBackend"/>, its test front-end, plugged into a switch.</summary>
public sealed class TestVif
{
    public TestVif(VirtualSwitch bridge, MacAddress mac, NetBackendOptions? options = null, bool scatterGather = true, int rxBuffers = 64)
    {
        Backend = new NetBackend(mac, $"vif-{mac}", options);
        Backend.ServiceRequested = () => ServiceRequests++;
        Frontend = new TestNetFrontend(scatterGather);
        Assert.Null(Backend.Connect(Frontend.Link));
        Backend.Plug(bridge);
        if (rxBuffers > 0)
        {
            Frontend.PostRxBuffers(rxBuffers);
        }
    }

    public NetBackend Backend { get; }

    public TestNetFrontend Frontend { get; }

    /// <summary>How often the back-end asked its host for a Service call.</summary>
    public int ServiceRequests { get; private set; }

    public MacAddress Mac => Backend.Mac;

    /// <summary>Puts <paramref name="frame"/> on the tx ring, publishes it and lets the back-end run, as one notification does.</summary>
    public List<ushort> Send(byte[] frame, NetTxFlags flags = NetTxFlags.None, int slotBytes = 4096, int firstOffset = 0)
    {
        var ids = Frontend.QueueTx(frame, flags, slotBytes, firstOffset);
        Frontend.PushTx();
        Backend.Service();
        return ids;
    }

    /// <summary>Runs the back-end (as the host does after a service request) and returns what the guest received.</summary>
    public List<ReceivedPacket> Receive()
    {
        Backend.Service();
        return Frontend.TakeRxPackets();
    }
}
