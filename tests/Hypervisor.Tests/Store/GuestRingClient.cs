using System.Buffers.Binary;
using System.Text;
using ActorVisor.Hypervisor.Store;

namespace ActorVisor.Hypervisor.Tests.Store;

/// <summary>Plays the guest's side of a store ring page held in a plain array: writes requests, reads responses.</summary>
internal sealed class GuestRingClient
{
    public byte[] Page { get; } = new byte[4096];

    public uint RequestProducer
    {
        get => StoreRing.Get(Page, StoreRing.RequestProducerOffset);
        set => StoreRing.Set(Page, StoreRing.RequestProducerOffset, value);
    }

    public uint ResponseConsumer
    {
        get => StoreRing.Get(Page, StoreRing.ResponseConsumerOffset);
        set => StoreRing.Set(Page, StoreRing.ResponseConsumerOffset, value);
    }

    /// <summary>Starts all four indices at <paramref name="start"/>, to place messages across the ring's wrap point.</summary>
    public void StartIndicesAt(uint start)
    {
        foreach (var offset in new[] { StoreRing.RequestConsumerOffset, StoreRing.RequestProducerOffset, StoreRing.ResponseConsumerOffset, StoreRing.ResponseProducerOffset })
        {
            StoreRing.Set(Page, offset, start);
        }
    }

    /// <summary>Writes as much of <paramref name="bytes"/> as fits in the request ring; returns how many.</summary>
    public int Send(ReadOnlySpan<byte> bytes)
    {
        uint cons = StoreRing.Get(Page, StoreRing.RequestConsumerOffset);
        uint prod = RequestProducer;
        int sent = 0;
        while (sent < bytes.Length && prod - cons < StoreRing.RingBytes)
        {
            Page[StoreRing.RequestOffset + (int)(prod % StoreRing.RingBytes)] = bytes[sent++];
            prod++;
        }

        RequestProducer = prod;
        return sent;
    }

    public void Send(XsMessageType type, uint requestId, uint tx, params string[] args) =>
        Assert.Equal(StoreRing.HeaderBytes + XsHeader.Strings(args).Length, Send(XsHeader.Message(type, requestId, tx, XsHeader.Strings(args))));

    /// <summary>Reads every complete response waiting in the response ring.</summary>
    public List<(XsHeader Header, byte[] Payload)> Receive()
    {
        var messages = new List<(XsHeader, byte[])>();
        while (true)
        {
            uint cons = ResponseConsumer;
            uint prod = StoreRing.Get(Page, StoreRing.ResponseProducerOffset);
            if (prod - cons < StoreRing.HeaderBytes)
            {
                return messages;
            }

            var header = XsHeader.Read(Peek(cons, StoreRing.HeaderBytes));
            if (prod - cons < StoreRing.HeaderBytes + header.Length)
            {
                return messages;
            }

            messages.Add((header, Peek(cons + StoreRing.HeaderBytes, (int)header.Length)));
            ResponseConsumer = cons + StoreRing.HeaderBytes + header.Length;
        }
    }

    public static string Text(byte[] payload) => Encoding.UTF8.GetString(payload);

    private byte[] Peek(uint from, int count)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = Page[StoreRing.ResponseOffset + (int)((from + (uint)i) % StoreRing.RingBytes)];
        }

        return bytes;
    }

    public static uint ReadLength(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
}
