using System.Buffers.Binary;
using System.Globalization;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Faults;

namespace ActorVisor.Devices.Block;

/// <summary>
/// Injected faults and recovery. At each <see cref="FaultPoint"/> the back-end asks its site and
/// acts: a crash throws <see cref="InjectedCrashException"/>; a hang stops all progress until
/// <see cref="Reattach"/>; a delay gives the request back to the ring (or, past its response, keeps
/// the notification) and holds the back-end until the host calls <see cref="ResumeHeld"/>, which
/// takes the request again without asking the same point twice; EIO, ENOSPC and a short write fail
/// the host I/O and answer BLKIF_RSP_ERROR (a short write stores the first half of the sectors
/// first). <see cref="Reattach"/> re-opens the image, re-maps the ring and starts again at the
/// shared rsp_prod, so what was taken and not answered before the crash is replayed: a write writes
/// the same bytes again, a read reads them again.
/// </summary>
public sealed partial class BlockBackend : IRecoverableBackend
{
    private bool _hung;
    private bool _held;
    private bool _stalled;
    private bool _notifyOwed;
    private long _holdBackNs;
    private (uint Index, FaultPoint Point)? _resumeSkip;

    public IFaultSite Faults { get; set; } = NoFaults.Instance;

    public bool HasUnansweredWork => _hung || _held || (_ring?.PendingRequests() ?? 0) > 0;

    public long Progress => Counters.Requests;

    public int UnansweredRequests => (int)(_ring?.UnansweredRequests() ?? 0);

    /// <summary>True after an injected hang, until <see cref="Reattach"/>.</summary>
    public bool Hung => _hung;

    public long TakeHoldBackNs()
    {
        var ns = _holdBackNs;
        _holdBackNs = 0;
        return ns;
    }

    public int ResumeHeld()
    {
        if (!_held)
        {
            return 0;
        }

        _held = false;
        if (_notifyOwed)
        {
            NotifyFrontend();
        }

        return Service();
    }

    public RecoveryResult Reattach(FrontendLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        Disconnect();
        var imageProblem = ReopenImage();
        if (MapRing(link) is { } refusal)
        {
            return RecoveryResult.Failed(refusal);
        }

        var ring = _ring!;
        var start = ring.ResumeAtSharedResponses();
        var pending = (int)ring.PendingRequests();
        if (imageProblem is not null)
        {
            FailPending(ring, pending);
            Disconnect();
            return RecoveryResult.Failed(imageProblem);
        }

        Faults.Record("reattach", string.Create(CultureInfo.InvariantCulture, $"ring of {ring.Size} entries at rsp_prod {start}"));
        Faults.Record("replay", string.Create(CultureInfo.InvariantCulture, $"{pending} requests"));

        // A response published just before the crash may never have been notified: notify once, spuriously at worst.
        _channel!.Notify();
        Service();
        return new RecoveryResult(pending, null);
    }

    /// <summary>Asks the site at <paramref name="point"/>; throws on a crash, and answers nothing for the one point a resumed request skips.</summary>
    private FaultDecision Ask(FaultPoint point)
    {
        if (_resumeSkip is { } skip && skip.Point == point && _ring is { } ring && skip.Index == unchecked(ring.RequestConsumer - 1))
        {
            _resumeSkip = null;
            return FaultDecision.None;
        }

        var decision = Faults.At(point);
        if (decision.Effect == FaultEffect.Crash)
        {
            Faults.Record("crash", $"{point}" + (decision.Rule is null ? "" : $" ({decision.Rule})"));
            throw new InjectedCrashException(point, decision.Rule);
        }

        return decision;
    }

    /// <summary>Asks at <paramref name="point"/> and acts on a hang or a delay; true if the request stops here.</summary>
    private bool Stalls(BlockRing ring, FaultPoint point, bool answered) => Stalls(ring, point, Ask(point), answered);

    private bool Stalls(BlockRing ring, FaultPoint point, FaultDecision decision, bool answered)
    {
        switch (decision.Effect)
        {
            case FaultEffect.Hang:
                _hung = true;
                break;
            case FaultEffect.Delay:
                _held = true;
                _holdBackNs = Math.Max(1, decision.DelayNs);
                if (!answered)
                {
                    _resumeSkip = (ring.RequestConsumer - 1, point);
                }

                break;
            default:
                return false;
        }

        if (!answered)
        {
            ring.Untake();
        }

        return true;
    }

    /// <summary>A host I/O point: a hang or delay stalls the request (flagged for <see cref="HandleRequest"/>); EIO and ENOSPC fail it.</summary>
    private FaultEffect HostPoint(FaultPoint point)
    {
        var decision = Ask(point);
        if (Stalls(_ring!, point, decision, answered: false))
        {
            _stalled = true;
        }

        return decision.Effect;
    }

    private BlockRequestError WriteImage(long sector, ReadOnlySpan<byte> data)
    {
        if (Ask(FaultPoint.BeforeData) is { IsNone: false } before && Stalls(_ring!, FaultPoint.BeforeData, before, answered: false))
        {
            _stalled = true;
            return BlockRequestError.HostIoFailed;
        }

        switch (HostPoint(FaultPoint.HostWrite))
        {
            case FaultEffect.Hang or FaultEffect.Delay or FaultEffect.IoError or FaultEffect.NoSpace:
                return BlockRequestError.HostIoFailed;
            case FaultEffect.ShortWrite:
                var sectors = data.Length / RawDiskImage.SectorBytes / 2;
                _image.Write(sector, data[..(sectors * RawDiskImage.SectorBytes)]);
                return BlockRequestError.HostIoFailed;
            default:
                return FromDisk(_image.Write(sector, data));
        }
    }

    private BlockRequestError ReadImage(long sector, Span<byte> data) => HostPoint(FaultPoint.HostRead) switch
    {
        FaultEffect.Hang or FaultEffect.Delay or FaultEffect.IoError or FaultEffect.NoSpace => BlockRequestError.HostIoFailed,
        _ => FromDisk(_image.Read(sector, data)),
    };

    private BlockRequestError FlushImage() => HostPoint(FaultPoint.HostFlush) switch
    {
        FaultEffect.Hang or FaultEffect.Delay or FaultEffect.IoError or FaultEffect.NoSpace => BlockRequestError.HostIoFailed,
        _ => FromDisk(_image.Flush()),
    };

    /// <summary>Notifies the front-end unless the plan drops the notification or holds it back.</summary>
    private void NotifyFrontend()
    {
        _notifyOwed = false;
        var decision = Ask(FaultPoint.NotifyFrontend);
        switch (decision.Effect)
        {
            case FaultEffect.Drop:
                return;
            case FaultEffect.Delay:
                _notifyOwed = true;
                _held = true;
                _holdBackNs = Math.Max(1, decision.DelayNs);
                return;
            case FaultEffect.Hang:
                _hung = true;
                return;
            default:
                _channel!.Notify();
                return;
        }
    }

    /// <summary>A restarted back-end lost its handle: opens the image again; returns why it cannot, or null.</summary>
    private string? ReopenImage()
    {
        var old = _image;
        old.Dispose();
        var error = RawDiskImage.Open(old.Path, old.ReadOnly, out var fresh);
        if (error != DiskImageError.None)
        {
            return $"image {old.Path} cannot be opened again: {error}";
        }

        _image = fresh!;
        if (fresh!.Sectors != old.Sectors)
        {
            return string.Create(CultureInfo.InvariantCulture, $"image {old.Path} changed size ({old.Sectors} sectors, now {fresh.Sectors})");
        }

        return null;
    }

    /// <summary>Answers the <paramref name="pending"/> requests past the shared rsp_prod with BLKIF_RSP_ERROR (the device cannot go on) and notifies.</summary>
    private void FailPending(BlockRing ring, int pending)
    {
        for (var i = 0; i < pending; i++)
        {
            ring.TakeRequest(_entry);
            var entry = _entry.AsSpan(0, ring.Layout.EntryBytes);
            var operation = entry[BlkifLayout.OperationOffset];
            var responseOperation = operation == BlkifProtocol.OpIndirect ? entry[BlkifLayout.SecondByteOffset] : operation;
            ring.Answer(BinaryPrimitives.ReadUInt64LittleEndian(entry[ring.Layout.IdOffset..]), responseOperation, BlkifProtocol.StatusError);
            CountError(BlockRequestError.HostIoFailed);
        }

        _channel!.Notify();
    }
}
