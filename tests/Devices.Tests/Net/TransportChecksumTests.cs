using System.Buffers.Binary;
using ActorVisor.Devices.Net;
using Xunit;

namespace ActorVisor.Devices.Tests.Net;

public sealed class TransportChecksumTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1472)]
    public void A_udp_checksum_is_completed_for_any_payload_length(int payload)
    {
        var frame = Frames.Udp4(Frames.B, Frames.A, 0xC0A80001, 0xC0A80002, payload, blankChecksum: true);
        Assert.True(TransportChecksum.Complete(frame));
        Assert.True(Frames.TransportChecksumVerifies(frame));
    }

    [Fact]
    public void Ipv4_options_and_an_802_1q_tag_are_stepped_over()
    {
        var plain = Frames.Udp4(Frames.B, Frames.A, 1, 2, 30, blankChecksum: true);
        // Insert a VLAN tag after the MACs and 4 bytes of IPv4 options (two NOPs, end, padding).
        var ip = plain.AsSpan(14).ToArray();
        byte[] ipWithOptions = [(byte)0x46, .. ip.AsSpan(1, 19), 1, 1, 0, 0, .. ip.AsSpan(20)];
        BinaryPrimitives.WriteUInt16BigEndian(ipWithOptions.AsSpan(2), (ushort)(ip.Length + 4));
        byte[] frame = [.. plain.AsSpan(0, 12), 0x81, 0x00, 0x00, 0x05, 0x08, 0x00, .. ipWithOptions];

        Assert.True(TransportChecksum.Complete(frame));

        var udp = frame.AsSpan(18 + 24);
        byte[] pseudo = [.. frame.AsSpan(18 + 12, 8), 0, 17, 0, (byte)udp.Length];
        Assert.Equal(0xFFFF, Frames.OnesSum([.. pseudo, .. udp]));
    }

    [Fact]
    public void An_ipv6_destination_options_header_is_stepped_over()
    {
        var plain = Frames.Tcp6Blank(Frames.B, Frames.A, 10);
        var ip = plain.AsSpan(14);
        byte[] options = [6, 0, 1, 4, 0, 0, 0, 0]; // next header TCP, 8 bytes, PadN
        byte[] header = [.. ip[..40]];
        header[6] = 60;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)(ip.Length - 40 + 8));
        byte[] frame = [.. plain.AsSpan(0, 14), .. header, .. options, .. ip[40..]];

        Assert.True(TransportChecksum.Complete(frame));

        var tcp = frame.AsSpan(14 + 48);
        var pseudo = new byte[40];
        frame.AsSpan(14 + 8, 32).CopyTo(pseudo);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)tcp.Length);
        pseudo[39] = 6;
        Assert.Equal(0xFFFF, Frames.OnesSum([.. pseudo, .. tcp]));
    }

    [Fact]
    public void A_udp_sum_of_zero_is_sent_as_all_ones()
    {
        // Find a payload word that makes the UDP checksum come out 0, then check it is sent as 0xFFFF.
        var frame = Frames.Udp4(Frames.B, Frames.A, 1, 2, 2, blankChecksum: true);
        for (var word = 0; word <= 0xFFFF; word++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(42), (ushort)word);
            Assert.True(TransportChecksum.Complete(frame));
            if (BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(40)) == 0xFFFF)
            {
                Assert.True(Frames.TransportChecksumVerifies(frame));
                return;
            }
        }
        Assert.Fail("no payload gave a zero checksum");
    }

    [Fact]
    public void Ip_fragments_other_protocols_and_truncated_headers_are_not_completable_and_left_alone()
    {
        var fragment = Frames.Udp4(Frames.B, Frames.A, 1, 2, 30, blankChecksum: true);
        fragment[14 + 6] = 0x20; // more fragments
        var icmp = Frames.Udp4(Frames.B, Frames.A, 1, 2, 30, blankChecksum: true);
        icmp[14 + 9] = 1;
        var truncated = Frames.Udp4(Frames.B, Frames.A, 1, 2, 30, blankChecksum: true).AsSpan(0, 40).ToArray();
        var lengthPastFrame = Frames.Udp4(Frames.B, Frames.A, 1, 2, 30, blankChecksum: true);
        BinaryPrimitives.WriteUInt16BigEndian(lengthPastFrame.AsSpan(16), 1000);

        foreach (var frame in new[] { fragment, icmp, truncated, lengthPastFrame, Frames.ArpRequest(Frames.A, 1, 2), new byte[10] })
        {
            var before = frame.ToArray();
            Assert.False(TransportChecksum.Complete(frame));
            Assert.Equal(before, frame);
        }
    }
}
