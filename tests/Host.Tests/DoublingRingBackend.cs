using System.Buffers.Binary;
using ActorVisor.Devices.Backends;

namespace ActorVisor.Host.Tests;

/// <summary>
/// A back-end of the tests' own for driving the IOPM machinery through real guest memory: it maps
/// the page named by the front-end's <c>ring-ref</c>, and for each request the front-end produced
/// (a u32 count at offset 0, request i a u32 at 64 + 8i) writes twice the value as the response (at
/// 68 + 8i), publishes the count at offset 8 and notifies. A <c>data-ref</c> key names a page it
/// reads with a grant copy and counts as bytes. It validates nothing beyond the grant checks the
/// host makes: it exists to test the host, not to be a device.
/// </summary>
internal sealed class DoublingRingBackend(DeviceClass deviceClass) : IDeviceBackend
{
    private IGrantedPage? _ring;
    private FrontendLink? _link;
    private uint _consumed;

    public DeviceClass Class => deviceClass;

    public IReadOnlyList<KeyValuePair<string, string>> AdvertisedKeys { get; } = [new("feature-doubling", "1")];

    public DeviceCounters Counters { get; } = new();

    public int Connects { get; private set; }

    public int Disconnects { get; private set; }

    public string? Connect(FrontendLink link)
    {
        if (!uint.TryParse(link.ReadKey("ring-ref"), out uint gref))
        {
            return "ring-ref missing";
        }

        var error = link.Grants.Map(gref, writable: true, out var ring);
        if (error != GrantAccessError.None)
        {
            return $"ring-ref {gref}: {error}";
        }

        _ring = ring;
        _link = link;
        _consumed = BinaryPrimitives.ReadUInt32LittleEndian(ring!.Bytes[8..]);
        Connects++;
        return null;
    }

    public int Service()
    {
        if (_ring is null || _link is null)
        {
            return 0;
        }

        var page = _ring.Bytes;
        uint produced = BinaryPrimitives.ReadUInt32LittleEndian(page);
        int handled = 0;
        while (_consumed != produced && _consumed < 400)
        {
            int at = 64 + (8 * (int)_consumed);
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(page[at..]);
            BinaryPrimitives.WriteUInt32LittleEndian(page[(at + 4)..], value * 2);
            _consumed++;
            handled++;
            Counters.CountRequest(4);
        }

        if (uint.TryParse(_link.ReadKey("data-ref"), out uint data))
        {
            var bytes = new byte[16];
            if (_link.Grants.CopyFrom(data, 0, bytes) == GrantAccessError.None)
            {
                Counters.CountRequest(bytes.Length);
            }
            else
            {
                Counters.CountError();
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(page[8..], _consumed);
        foreach (var channel in _link.Channels.Values)
        {
            channel.Notify();
        }

        return handled;
    }

    public void Disconnect()
    {
        _ring?.Dispose();
        _ring = null;
        _link = null;
        Disconnects++;
    }
}
