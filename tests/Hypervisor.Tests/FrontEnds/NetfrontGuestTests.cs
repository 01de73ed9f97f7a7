using System.Buffers.Binary;
using ActorVisor.Abi;
using ActorVisor.Hypervisor.Pv;
using ActorVisor.Hypervisor.Store;
using ActorVisor.Hypervisor.Tests.Pv;
using ActorVisor.Hypervisor.Tests.Store;
using static ActorVisor.Hypervisor.Tests.Store.StoreTestKit;

namespace ActorVisor.Hypervisor.Tests.FrontEnds;

/// <summary>
/// The network guest (guests/tests/netecho.c, over the SDK's netfront) against a scripted netif
/// back end: the XenBus handshake, an ARP request for its address answered with its mac, an ICMP
/// echo request answered with a valid echo reply, and a clean poweroff on control/shutdown.
/// </summary>
public sealed class NetfrontGuestTests
{
    private static readonly byte[] PeerMac = [0x02, 0, 0, 0, 0, 0xFE];
    private static readonly byte[] GuestMac = [0x00, 0x16, 0x3E, 0, 0, 0x01];
    private static readonly byte[] PeerIp = [10, 0, 0, 1];
    private static readonly byte[] GuestIp = [10, 0, 0, 2];

    [Theory]
    [InlineData("x86_64")]
    [InlineData("x86_32")]
    public void The_network_guest_answers_arp_and_ping_through_netfront(string arch)
    {
        using var run = new GuestRun(arch, "netecho");
        var events = new QueuedStoreEvents();
        var store = WithGuests(events: events);
        store.IntroduceDomain(Dom0, run.Domain.Id);
        var backend = new StoreBackend(store, run.Domain);
        Assert.True(run.Host.Ports.Register(run.Domain.Id, backend.Port, () => backend.Service()));
        var net = new ScriptedNetBackend(store, run.Domain);
        int stage = 0;

        var end = Run(run, () =>
        {
            if (net.Connected && stage == 0)
            {
                net.Deliver(ArpRequest());
                stage = 1;
            }
            else if (stage == 1 && net.FromGuest.Count == 1)
            {
                net.Deliver(EchoRequest());
                stage = 2;
            }
            else if (stage == 2 && net.FromGuest.Count == 2)
            {
                store.WriteString(Dom0, "/local/domain/1/control/shutdown", "poweroff");
                stage = 3;
            }

            bool notified = net.Step();
            if (events.TakeFor(run.Domain.Id))
            {
                backend.Service();
            }

            return notified;
        });

        Assert.True(end.Outcome == SliceOutcome.ShutDown && end.Reason == ShutdownReason.Poweroff, $"{end}\n{run.Console}");
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("PASS netecho", run.Lines);
        Assert.Equal("1", net.FrontendKeys["request-rx-copy"]);
        Assert.Equal(2, net.FromGuest.Count);

        var arp = net.FromGuest[0];
        Assert.Equal(PeerMac, arp[..6]);
        Assert.Equal(GuestMac, arp[6..12]);
        Assert.Equal(0x0806, BinaryPrimitives.ReadUInt16BigEndian(arp.AsSpan(12)));
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(arp.AsSpan(20)));
        Assert.Equal([.. GuestMac, .. GuestIp, .. PeerMac, .. PeerIp], arp[22..42]);

        var echo = net.FromGuest[1];
        var request = EchoRequest();
        Assert.Equal(request.Length, echo.Length);
        Assert.Equal(PeerMac, echo[..6]);
        Assert.Equal(GuestIp, echo[26..30]);
        Assert.Equal(PeerIp, echo[30..34]);
        Assert.Equal(0, Checksum(echo.AsSpan(14, 20)));
        Assert.Equal(0, echo[34]);
        Assert.Equal(0, Checksum(echo.AsSpan(34)));
        Assert.Equal(request[38..], echo[38..]);
    }

    private static byte[] ArpRequest()
    {
        var f = new byte[42];
        f.AsSpan(0, 6).Fill(0xFF);
        PeerMac.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 0x0800);
        f[18] = 6;
        f[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(20), 1);
        PeerMac.CopyTo(f, 22);
        PeerIp.CopyTo(f, 28);
        GuestIp.CopyTo(f, 38);
        return f;
    }

    private static byte[] EchoRequest()
    {
        var f = new byte[14 + 20 + 8 + 16];
        GuestMac.CopyTo(f, 0);
        PeerMac.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        var ip = f.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 44);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        ip[8] = 64;
        ip[9] = 1;
        PeerIp.CopyTo(f, 26);
        GuestIp.CopyTo(f, 30);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
        var icmp = f.AsSpan(34);
        icmp[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], 7);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], 1);
        for (int i = 8; i < icmp.Length; i++)
        {
            icmp[i] = (byte)(0xA0 + i);
        }

        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum(icmp));
        return f;
    }

    /// <summary>The Internet checksum: 0 over data that carries a correct one.</summary>
    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) != 0)
        {
            sum += (uint)data[^1] << 8;
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static SliceResult Run(GuestRun run, Func<bool> between, long limitNs = 20_000_000_000)
    {
        while (true)
        {
            var result = run.Vcpu.RunSlice(100_000);
            bool notified = between();
            switch (result.Outcome)
            {
                case SliceOutcome.ShutDown:
                case SliceOutcome.Crashed:
                case SliceOutcome.Offline:
                    return result;
                case SliceOutcome.Blocked when run.Vcpu.IsBlocked:
                    if (!notified && !run.Vcpu.IdleToNextDeadline())
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
