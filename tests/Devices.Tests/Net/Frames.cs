using System.Buffers.Binary;
using ActorVisor.Devices.Net;

namespace ActorVisor.Devices.Tests.Net;

/// <summary>Ethernet frames built byte by byte for the tests, and an independent checksum check.</summary>
public static class Frames
{
    public static readonly MacAddress A = MacAddress.ForVif(1, 0);
    public static readonly MacAddress B = MacAddress.ForVif(2, 0);
    public static readonly MacAddress C = MacAddress.ForVif(3, 0);

    /// <summary>An ARP request "who has <paramref name="targetIp"/>" from <paramref name="sender"/>, to broadcast.</summary>
    public static byte[] ArpRequest(MacAddress sender, uint senderIp, uint targetIp)
    {
        var f = new byte[42];
        Header(f, MacAddress.Broadcast, sender, 0x0806);
        var a = f.AsSpan(14);
        BinaryPrimitives.WriteUInt16BigEndian(a, 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(a[2..], 0x0800); // IPv4
        a[4] = 6;
        a[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(a[6..], 1); // request
        sender.Write(a[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(a[14..], senderIp);
        BinaryPrimitives.WriteUInt32BigEndian(a[24..], targetIp);
        return f;
    }

    /// <summary>A frame of <paramref name="length"/> bytes with a counting payload, EtherType 0x88B5 (local experimental).</summary>
    public static byte[] Raw(MacAddress destination, MacAddress source, int length, byte seed = 0)
    {
        var f = new byte[length];
        Header(f, destination, source, 0x88B5);
        for (var i = 14; i < length; i++)
        {
            f[i] = (byte)(seed + i * 7);
        }
        return f;
    }

    /// <summary>
    /// An IPv4 UDP datagram. With <paramref name="blankChecksum"/> the checksum field holds only
    /// the folded pseudo-header sum, as Linux leaves it for checksum offload (CHECKSUM_PARTIAL).
    /// </summary>
    public static byte[] Udp4(MacAddress destination, MacAddress source, uint srcIp, uint dstIp, int payloadBytes, bool blankChecksum)
    {
        var f = new byte[14 + 20 + 8 + payloadBytes];
        Header(f, destination, source, 0x0800);
        var ip = f.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + payloadBytes));
        ip[8] = 64;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], srcIp);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dstIp);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~OnesSum(ip[..20]));
        var udp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 7);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payloadBytes));
        for (var i = 0; i < payloadBytes; i++)
        {
            udp[8 + i] = (byte)(i * 13 + 1);
        }
        var pseudo = Pseudo4(srcIp, dstIp, 17, 8 + payloadBytes);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], blankChecksum ? OnesSum(pseudo) : (ushort)~OnesSum([.. pseudo, .. udp]));
        return f;
    }

    /// <summary>An IPv6 TCP segment with <paramref name="payloadBytes"/> of data and its checksum left blank (pseudo-header sum only).</summary>
    public static byte[] Tcp6Blank(MacAddress destination, MacAddress source, int payloadBytes)
    {
        var f = new byte[14 + 40 + 20 + payloadBytes];
        Header(f, destination, source, 0x86DD);
        var ip = f.AsSpan(14);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(20 + payloadBytes));
        ip[6] = 6;
        ip[7] = 64;
        ip[8] = 0xFE;
        ip[9] = 0x80;
        ip[23] = 1;
        ip[24] = 0xFE;
        ip[25] = 0x80;
        ip[39] = 2;
        var tcp = ip[40..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 5555);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 80);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 0x01020304);
        tcp[12] = 5 << 4;
        tcp[13] = 0x18; // PSH, ACK
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        for (var i = 0; i < payloadBytes; i++)
        {
            tcp[20 + i] = (byte)(255 - i);
        }
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], 0x1234); // garbage: the back-end must not trust the field
        return f;
    }

    /// <summary>True when the frame's UDP (IPv4) or TCP (IPv6) checksum verifies: the sum over pseudo-header and segment is all ones.</summary>
    public static bool TransportChecksumVerifies(byte[] f)
    {
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(12));
        if (etherType == 0x0800)
        {
            var ip = f.AsSpan(14);
            var ihl = (ip[0] & 0xF) * 4;
            var total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            var segment = ip[ihl..total];
            byte[] all = [.. Pseudo4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]), BinaryPrimitives.ReadUInt32BigEndian(ip[16..]), ip[9], segment.Length), .. segment];
            return OnesSum(all) == 0xFFFF;
        }
        else
        {
            var ip = f.AsSpan(14);
            var length = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
            var segment = ip.Slice(40, length);
            var pseudo = new byte[40];
            ip.Slice(8, 32).CopyTo(pseudo);
            BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), length);
            pseudo[39] = ip[6];
            return OnesSum([.. pseudo, .. segment]) == 0xFFFF;
        }
    }

    private static byte[] Pseudo4(uint src, uint dst, byte protocol, int length)
    {
        var p = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(p, src);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), dst);
        p[9] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), (ushort)length);
        return p;
    }

    /// <summary>RFC 1071 the slow way: 16-bit big-endian words, end-around carry after each addition.</summary>
    public static ushort OnesSum(ReadOnlySpan<byte> data)
    {
        var sum = 0;
        for (var i = 0; i < data.Length; i += 2)
        {
            var word = data[i] << 8 | (i + 1 < data.Length ? data[i + 1] : 0);
            sum += word;
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)sum;
    }

    private static void Header(byte[] f, MacAddress destination, MacAddress source, ushort etherType)
    {
        destination.Write(f);
        source.Write(f.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), etherType);
    }
}
