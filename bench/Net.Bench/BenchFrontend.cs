using System.Buffers.Binary;
using System.Globalization;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Net;
using ActorVisor.Devices.Rings;
using ActorVisor.Devices.Tests;

namespace ActorVisor.Net.Bench;

/// <summary>
/// A lean netif front-end for the benchmark: a fixed set of granted tx pages holding the frame,
/// every rx buffer posted once and re-posted after each batch, ring entries written directly, so
/// that the time measured is the back-end's and the switch's, not the test model's allocations.
/// </summary>
internal sealed class BenchFrontend
{
    private readonly uint[] _txPages;
    private readonly uint[] _rxPages;
    private uint _txProducer;
    private uint _txResponseConsumer;
    private uint _rxProducer;
    private uint _rxResponseConsumer;

    public BenchFrontend(byte[] frame, int batch)
    {
        TxRingRef = Grants.Grant();
        RxRingRef = Grants.Grant();
        new SharedRingHeader(Grants.Page(TxRingRef)).Initialise();
        new SharedRingHeader(Grants.Page(RxRingRef)).Initialise();
        _txPages = new uint[batch];
        for (var i = 0; i < batch; i++)
        {
            var page = new byte[4096];
            frame.CopyTo(page, 0);
            _txPages[i] = Grants.Grant(page, readOnly: true);
        }
        _rxPages = new uint[NetifLayout.RxRingEntries];
        for (var i = 0; i < _rxPages.Length; i++)
        {
            _rxPages[i] = Grants.Grant();
            PostRx((ushort)i);
        }
        new SharedRingHeader(Grants.Page(RxRingRef)).RequestProducer = _rxProducer;
        FrameBytes = frame.Length;
    }

    public TestGrants Grants { get; } = new();

    public uint TxRingRef { get; }

    public uint RxRingRef { get; }

    public int FrameBytes { get; }

    public FrontendLink Link => new(1, key => key switch
    {
        "tx-ring-ref" => TxRingRef.ToString(CultureInfo.InvariantCulture),
        "rx-ring-ref" => RxRingRef.ToString(CultureInfo.InvariantCulture),
        "request-rx-copy" or "feature-rx-notify" or "feature-sg" => "1",
        _ => null,
    }, Grants, new Dictionary<string, IFrontendChannel> { ["event-channel"] = Channel });

    public NullChannel Channel { get; } = new();

    /// <summary>Queues one single-slot packet per tx page and publishes them.</summary>
    public void SendBatch()
    {
        var ring = Grants.Page(TxRingRef).AsSpan();
        for (var i = 0; i < _txPages.Length; i++)
        {
            var e = ring[NetifLayout.TxEntry(_txProducer)..];
            BinaryPrimitives.WriteUInt32LittleEndian(e, _txPages[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], 0); // offset 0, flags 0
            BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)i);
            BinaryPrimitives.WriteUInt16LittleEndian(e[10..], (ushort)FrameBytes);
            _txProducer++;
        }
        new SharedRingHeader(ring).RequestProducer = _txProducer;
    }

    /// <summary>Consumes the tx responses; returns how many were OKAY.</summary>
    public int TakeTxResponses()
    {
        var ring = Grants.Page(TxRingRef).AsSpan();
        var header = new SharedRingHeader(ring);
        var ok = 0;
        for (var producer = header.ResponseProducer; _txResponseConsumer != producer; _txResponseConsumer++)
        {
            ok += BinaryPrimitives.ReadInt16LittleEndian(ring[(NetifLayout.TxEntry(_txResponseConsumer) + 2)..]) == 0 ? 1 : 0;
        }
        header.ResponseEvent = _txResponseConsumer + 1;
        return ok;
    }

    /// <summary>Consumes rx responses (checking each status), re-posts their buffers; returns the bytes received.</summary>
    public long TakeRx()
    {
        var ring = Grants.Page(RxRingRef).AsSpan();
        var header = new SharedRingHeader(ring);
        long bytes = 0;
        for (var producer = header.ResponseProducer; _rxResponseConsumer != producer; _rxResponseConsumer++)
        {
            var e = ring[NetifLayout.RxEntry(_rxResponseConsumer)..];
            var id = BinaryPrimitives.ReadUInt16LittleEndian(e);
            var status = BinaryPrimitives.ReadInt16LittleEndian(e[6..]);
            if (status != FrameBytes)
            {
                throw new InvalidOperationException($"rx status {status}, expected {FrameBytes}");
            }
            bytes += status;
            PostRx(id);
        }
        header.ResponseEvent = _rxResponseConsumer + 1;
        header.RequestProducer = _rxProducer;
        return bytes;
    }

    private void PostRx(ushort id)
    {
        var e = Grants.Page(RxRingRef).AsSpan(NetifLayout.RxEntry(_rxProducer));
        BinaryPrimitives.WriteUInt16LittleEndian(e, id);
        BinaryPrimitives.WriteUInt32LittleEndian(e[4..], _rxPages[id]);
        _rxProducer++;
    }
}

internal sealed class NullChannel : IFrontendChannel
{
    public uint FrontendPort => 5;

    public long Notifications { get; private set; }

    public void Notify() => Notifications++;
}
