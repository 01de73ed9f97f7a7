using System.Buffers.Binary;

namespace ActorVisor.Devices.Net;

/// <summary>
/// Completes the TCP or UDP checksum of a frame whose sender left it blank (checksum offload,
/// NETTXF_csum_blank): the Internet checksum (RFC 1071) over the IPv4 or IPv6 pseudo-header and
/// the whole transport segment, written into the segment's checksum field. Whatever the field
/// held before (Linux puts the pseudo-header sum there) is ignored, so the result is right for
/// any sender. Handles an optional 802.1Q tag, IPv4 options, and IPv6 hop-by-hop, routing and
/// destination-options headers; anything else (IP fragments, other protocols, truncated headers)
/// is reported as not completable and the frame left unchanged.
/// </summary>
public static class TransportChecksum
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;

    /// <summary>Fills in the checksum; false when the frame is not a TCP/UDP packet this can complete.</summary>
    public static bool Complete(Span<byte> frame)
    {
        if (!Locate(frame, out var l4, out var l4Length, out var protocol, out var pseudoSum))
        {
            return false;
        }
        var fieldOffset = protocol == ProtocolTcp ? 16 : 6;
        if (l4Length < fieldOffset + 2 || (protocol == ProtocolTcp && l4Length < 20) || (protocol == ProtocolUdp && l4Length < 8))
        {
            return false;
        }
        var segment = frame.Slice(l4, l4Length);
        segment[fieldOffset] = 0;
        segment[fieldOffset + 1] = 0;
        var sum = Fold(pseudoSum + Sum(segment));
        var checksum = (ushort)~sum;
        if (protocol == ProtocolUdp && checksum == 0)
        {
            checksum = 0xFFFF;
        }
        BinaryPrimitives.WriteUInt16BigEndian(segment[fieldOffset..], checksum);
        return true;
    }

    /// <summary>Finds the transport segment: its start and length, the protocol and the pseudo-header's sum.</summary>
    private static bool Locate(ReadOnlySpan<byte> frame, out int l4, out int l4Length, out byte protocol, out ulong pseudoSum)
    {
        l4 = l4Length = 0;
        protocol = 0;
        pseudoSum = 0;
        if (frame.Length < NetifLayout.EthernetHeaderBytes)
        {
            return false;
        }
        var l3 = 12;
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[l3..]);
        l3 += 2;
        if (etherType == EtherTypeVlan)
        {
            if (frame.Length < l3 + 4)
            {
                return false;
            }
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 2)..]);
            l3 += 4;
        }
        return etherType switch
        {
            EtherTypeIpv4 => LocateIpv4(frame, l3, out l4, out l4Length, out protocol, out pseudoSum),
            EtherTypeIpv6 => LocateIpv6(frame, l3, out l4, out l4Length, out protocol, out pseudoSum),
            _ => false,
        };
    }

    private static bool LocateIpv4(ReadOnlySpan<byte> frame, int l3, out int l4, out int l4Length, out byte protocol, out ulong pseudoSum)
    {
        l4 = l4Length = 0;
        protocol = 0;
        pseudoSum = 0;
        if (frame.Length < l3 + 20 || frame[l3] >> 4 != 4)
        {
            return false;
        }
        var headerBytes = (frame[l3] & 0xF) * 4;
        var totalLength = BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 2)..]);
        var fragment = BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 6)..]);
        protocol = frame[l3 + 9];
        // A fragment other than a whole datagram carries part of the segment the checksum covers.
        if (headerBytes < 20 || totalLength < headerBytes || l3 + totalLength > frame.Length || (fragment & 0x3FFF) != 0
            || protocol is not (ProtocolTcp or ProtocolUdp))
        {
            return false;
        }
        l4 = l3 + headerBytes;
        l4Length = totalLength - headerBytes;
        pseudoSum = Sum(frame.Slice(l3 + 12, 8)) + protocol + (uint)l4Length;
        return true;
    }

    private static bool LocateIpv6(ReadOnlySpan<byte> frame, int l3, out int l4, out int l4Length, out byte protocol, out ulong pseudoSum)
    {
        l4 = l4Length = 0;
        protocol = 0;
        pseudoSum = 0;
        if (frame.Length < l3 + 40 || frame[l3] >> 4 != 6)
        {
            return false;
        }
        var payloadLength = BinaryPrimitives.ReadUInt16BigEndian(frame[(l3 + 4)..]);
        var end = l3 + 40 + payloadLength;
        if (end > frame.Length)
        {
            return false;
        }
        var next = frame[l3 + 6];
        var at = l3 + 40;
        // Hop-by-hop (0), routing (43) and destination options (60) headers: length in 8-octet units after the first 8.
        for (var hops = 0; next is 0 or 43 or 60; hops++)
        {
            if (hops == 8 || at + 8 > end)
            {
                return false;
            }
            next = frame[at];
            at += (frame[at + 1] + 1) * 8;
        }
        if (at > end || next is not (ProtocolTcp or ProtocolUdp))
        {
            return false;
        }
        protocol = next;
        l4 = at;
        l4Length = end - at;
        pseudoSum = Sum(frame.Slice(l3 + 8, 32)) + (uint)l4Length + protocol;
        return true;
    }

    /// <summary>The one's-complement sum of big-endian 16-bit words (an odd last byte padded with zero), not yet folded.</summary>
    public static ulong Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var word = BinaryPrimitives.ReadUInt64BigEndian(data[i..]);
            sum += (word >> 48) + (word >> 32 & 0xFFFF) + (word >> 16 & 0xFFFF) + (word & 0xFFFF);
        }
        for (; i + 2 <= data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            sum += (ulong)data[i] << 8;
        }
        return sum;
    }

    /// <summary>Folds a wide one's-complement sum into 16 bits.</summary>
    public static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)sum;
    }
}
