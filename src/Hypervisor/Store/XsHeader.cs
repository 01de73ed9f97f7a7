using System.Buffers.Binary;
using System.Text;

namespace ActorVisor.Hypervisor.Store;

/// <summary>The 16-byte message header (struct xsd_sockmsg), little-endian, and helpers to build messages.</summary>
public readonly record struct XsHeader(uint Type, uint RequestId, uint TransactionId, uint Length)
{
    public static XsHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]));

    public static byte[] Message(XsMessageType type, uint requestId, uint transactionId, ReadOnlySpan<byte> payload)
    {
        var message = new byte[StoreRing.HeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(4), requestId);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), transactionId);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(12), (uint)payload.Length);
        payload.CopyTo(message.AsSpan(StoreRing.HeaderBytes));
        return message;
    }

    /// <summary>Each string followed by a NUL, the form of most payloads.</summary>
    public static byte[] Strings(params string[] parts)
    {
        var builder = new List<byte>();
        foreach (var part in parts)
        {
            builder.AddRange(Encoding.UTF8.GetBytes(part));
            builder.Add(0);
        }

        return builder.ToArray();
    }
}
