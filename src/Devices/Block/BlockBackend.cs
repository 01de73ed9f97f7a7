using System.Globalization;
using ActorVisor.Devices.Backends;

namespace ActorVisor.Devices.Block;

/// <summary>
/// The back-end of a virtual block device (blkif) on a raw disk image: it maps the ring a front-end
/// shares, takes each request off it, moves data between the image and the granted pages by grant
/// copy, and answers in order. It speaks the request layouts of both the 64-bit and the 32-bit ABI,
/// single- and multi-page rings, indirect requests, flush, barrier and discard.
/// </summary>
/// <remarks>
/// <para>Lifecycle: <c>Disconnected --Connect(ok)--> Connected --Disconnect--> Disconnected</c>; a
/// refused Connect leaves it disconnected with nothing mapped, and Service on a disconnected
/// back-end does nothing.</para>
/// <para>Invariants: each request is copied out of the shared ring once and validated on the copy;
/// no byte moves unless every segment checked out; a write that a flush or barrier carries is on
/// disk (fsync) before its response; the back-end never reads past req_prod nor trusts a req_prod
/// that is behind its responses or more than a ring ahead of them. Everything the guest can cause is
/// a response status and a count, never an exception.</para>
/// </remarks>
public sealed partial class BlockBackend : IDeviceBackend, IDisposable
{
    private RawDiskImage _image;
    private readonly BlockBackendOptions _options;
    private readonly long[] _errorCounts = new long[Enum.GetValues<BlockRequestError>().Length];
    private readonly byte[] _entry = new byte[BlkifLayout.X86_64.EntryBytes];
    private readonly Segment[] _segments;
    private readonly byte[] _indirectPage = new byte[BlkifProtocol.PageBytes];
    private readonly byte[] _data;

    private BlockRing? _ring;
    private IFrontendChannel? _channel;
    private IGrantedMemory? _grants;

    public BlockBackend(RawDiskImage image, BlockBackendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        _image = image;
        _options = options ?? BlockBackendOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxIndirectSegments);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(
            _options.MaxIndirectSegments, BlkifProtocol.MaxIndirectPages * BlkifProtocol.SegmentsPerIndirectPage);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRingPageOrder);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.MaxRingPageOrder, MaxSupportedRingPageOrder);

        ReadOnly = image.ReadOnly || _options.ReadOnly || _options.CdRom;
        var maxSegments = Math.Max(BlkifProtocol.MaxDirectSegments, _options.MaxIndirectSegments);
        _segments = new Segment[maxSegments];
        _data = GC.AllocateUninitializedArray<byte>(maxSegments * BlkifProtocol.PageBytes);
        AdvertisedKeys = BuildKeys();
    }

    /// <summary>The largest ring order accepted from the options (XENBUS_MAX_RING_GRANT_ORDER in Linux).</summary>
    public const int MaxSupportedRingPageOrder = 4;

    public DeviceClass Class => DeviceClass.Vbd;

    public IReadOnlyList<KeyValuePair<string, string>> AdvertisedKeys { get; }

    public DeviceCounters Counters { get; } = new();

    public bool ReadOnly { get; }

    public bool Connected => _ring is not null;

    /// <summary>The ring's entries while connected (32 for one page, 64 for two, ...), else 0.</summary>
    public int RingSizeEntries => (int)(_ring?.Size ?? 0);

    /// <summary>The layout the front-end asked for, while connected.</summary>
    public BlkifLayout? Layout => _ring?.Layout;

    /// <summary>Discards done by punching holes, and by writing zeros (where the host could not punch).</summary>
    public long DiscardsPunched { get; private set; }

    public long DiscardsZeroed { get; private set; }

    /// <summary>How many times the front-end caused <paramref name="error"/> since creation.</summary>
    public long ErrorCount(BlockRequestError error) => Interlocked.Read(ref _errorCounts[(int)error]);

    public string? Connect(FrontendLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        if (_ring is not null)
        {
            return "the block back-end is already connected";
        }

        return MapRing(link);
    }

    /// <summary>Reads the front-end's ring keys, maps its ring pages and takes its channel; returns why not, or null.</summary>
    private string? MapRing(FrontendLink link)
    {
        var layout = BlkifLayout.ForProtocol(link.ReadKey("protocol"));
        if (layout is null)
        {
            return $"protocol '{link.ReadKey("protocol")}' is neither {BlkifProtocol.ProtocolX86_64} nor {BlkifProtocol.ProtocolX86_32}";
        }

        var queues = link.ReadKey("multi-queue-num-queues");
        if (queues is not null && queues != "1")
        {
            return $"multi-queue-num-queues is '{queues}' but the back-end offers one queue";
        }

        var order = 0u;
        var orderText = link.ReadKey("ring-page-order");
        if (orderText is not null && (!TryParseUInt(orderText, out order) || order > (uint)_options.MaxRingPageOrder))
        {
            return $"ring-page-order '{orderText}' is not an order from 0 to {_options.MaxRingPageOrder}";
        }

        var pageCount = 1 << (int)order;
        var refs = new uint[pageCount];
        for (var i = 0; i < pageCount; i++)
        {
            var key = pageCount == 1 ? "ring-ref" : $"ring-ref{i}";
            var text = link.ReadKey(key);
            if (text is null || !TryParseUInt(text, out refs[i]))
            {
                return $"{key} is '{text ?? "(missing)"}', not a grant reference";
            }
        }

        var portText = link.ReadKey("event-channel");
        if (portText is null || !TryParseUInt(portText, out _))
        {
            return $"event-channel is '{portText ?? "(missing)"}', not a port";
        }

        if (!link.Channels.TryGetValue("event-channel", out var channel))
        {
            return $"no event channel was bound to port {portText}";
        }

        var pages = new IGrantedPage[pageCount];
        for (var i = 0; i < pageCount; i++)
        {
            var error = link.Grants.Map(refs[i], writable: true, out var page);
            if (error != GrantAccessError.None || page is null)
            {
                for (var j = 0; j < i; j++)
                {
                    pages[j].Dispose();
                }

                return $"ring page {i} (grant {refs[i]}) could not be mapped: {error}";
            }

            pages[i] = page;
        }

        _ring = new BlockRing(pages, layout);
        _channel = channel;
        _grants = link.Grants;
        return null;
    }

    public int Service()
    {
        var ring = _ring;
        if (ring is null || _hung || _held)
        {
            return 0;
        }

        var handled = 0;
        var notify = false;
        while (true)
        {
            var producer = ring.ReadRequestProducer();
            if (ring.ProducerOverflows(producer))
            {
                CountError(BlockRequestError.RingProducerOverran);
                break;
            }

            while (ring.RequestConsumer != producer)
            {
                ring.TakeRequest(_entry);
                if (!HandleRequest(ring, ref notify))
                {
                    // An injected hang or delay: the rest waits for the restart or the resume.
                    _notifyOwed |= notify;
                    return handled;
                }

                handled++;
            }

            if (!ring.FinalCheckForRequests())
            {
                break;
            }
        }

        if (notify)
        {
            NotifyFrontend();
        }

        return handled;
    }

    public void Disconnect()
    {
        _ring?.Dispose();
        _ring = null;
        _channel = null;
        _grants = null;
        _hung = false;
        _held = false;
        _stalled = false;
        _notifyOwed = false;
        _holdBackNs = 0;
        _resumeSkip = null;
    }

    /// <summary>Disconnects and closes the image.</summary>
    public void Dispose()
    {
        Disconnect();
        _image.Dispose();
    }

    private List<KeyValuePair<string, string>> BuildKeys()
    {
        var info = (ReadOnly ? BlkifProtocol.VdiskReadOnly : 0) | (_options.CdRom ? BlkifProtocol.VdiskCdrom : 0);
        var keys = new List<KeyValuePair<string, string>>
        {
            new("mode", ReadOnly ? "r" : "w"),
            new("info", Decimal(info)),
            new("sectors", Decimal(_image.Sectors)),
            new("sector-size", Decimal(RawDiskImage.SectorBytes)),
            new("physical-sector-size", Decimal(RawDiskImage.SectorBytes)),
            new("feature-flush-cache", "1"),
            new("feature-barrier", "1"),
            new("feature-persistent", "0"),
            new("max-ring-page-order", Decimal(_options.MaxRingPageOrder)),
        };
        if (_options.Discard && !ReadOnly)
        {
            keys.Add(new("feature-discard", "1"));
            keys.Add(new("discard-granularity", Decimal(RawDiskImage.SectorBytes)));
            keys.Add(new("discard-alignment", "0"));
            keys.Add(new("discard-secure", "0"));
        }

        if (_options.MaxIndirectSegments > 0)
        {
            keys.Add(new("feature-max-indirect-segments", Decimal(_options.MaxIndirectSegments)));
        }

        return keys;
    }

    private void CountError(BlockRequestError error)
    {
        Interlocked.Increment(ref _errorCounts[(int)error]);
        Counters.CountError();
    }

    private static string Decimal(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool TryParseUInt(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
