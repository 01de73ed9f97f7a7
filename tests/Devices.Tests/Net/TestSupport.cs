using System.Buffers.Binary;

namespace ActorVisor.Devices.Tests.Net;

/// <summary>A clock that says what the test tells it.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>A probe port: keeps every frame the switch delivers to it.</summary>
public sealed class ProbePort(string name) : ActorVisor.Devices.Net.IFramePort
{
    public string Name => name;

    public List<byte[]> Frames { get; } = [];

    public void Deliver(ActorVisor.Devices.Net.EthernetFrame frame) => Frames.Add(frame.Bytes.ToArray());
}

/// <summary>Reads a classic pcap file back, checking its structure as a reader must.</summary>
public static class PcapReader
{
    public sealed record Packet(uint Seconds, uint Microseconds, uint OriginalLength, byte[] Data);

    public sealed record Capture(ushort Major, ushort Minor, uint SnapLength, uint LinkType, List<Packet> Packets);

    public static Capture Read(byte[] file)
    {
        if (file.Length < 24 || BinaryPrimitives.ReadUInt32LittleEndian(file) != 0xA1B2C3D4)
        {
            throw new InvalidDataException("not a little-endian microsecond pcap file");
        }
        var span = file.AsSpan();
        var capture = new Capture(
            BinaryPrimitives.ReadUInt16LittleEndian(span[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(span[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[20..]),
            []);
        var at = 24;
        while (at < file.Length)
        {
            if (at + 16 > file.Length)
            {
                throw new InvalidDataException($"a record header cut short at byte {at}");
            }
            var seconds = BinaryPrimitives.ReadUInt32LittleEndian(span[at..]);
            var micros = BinaryPrimitives.ReadUInt32LittleEndian(span[(at + 4)..]);
            var included = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(at + 8)..]);
            var original = BinaryPrimitives.ReadUInt32LittleEndian(span[(at + 12)..]);
            if (micros >= 1_000_000 || included > original || included > capture.SnapLength || at + 16 + included > file.Length)
            {
                throw new InvalidDataException($"a bad record at byte {at}");
            }
            capture.Packets.Add(new Packet(seconds, micros, original, span.Slice(at + 16, included).ToArray()));
            at += 16 + included;
        }
        return capture;
    }
}
