using System.Globalization;
using ActorVisor.Devices.Backends;
using ActorVisor.Devices.Faults;
using ActorVisor.Devices.Rings;

namespace ActorVisor.Devices.Net;

/// <summary>
/// Recovery after the vif's host restarted it. <see cref="Connect"/> already attaches at the shared
/// rings' rsp_prod, so <see cref="Reattach"/> is a disconnect and a connect on the same link (rings,
/// grants and channels outlived the back-end), keeping the frames the switch had queued for the
/// guest: every tx request past the shared rsp_prod is taken again (a packet sent just before the
/// crash and not yet answered goes out twice, as a network may duplicate it), and every rx buffer
/// past it is filled again. Network back-ends have no fault points yet; a tx ring the back-end
/// stops taking is work unanswered for the watchdog. Rx buffers the front-end posted are not work
/// unanswered: they wait for frames by design.
/// </summary>
public sealed partial class NetBackend : IRecoverableBackend
{
    public IFaultSite Faults { get; set; } = NoFaults.Instance;

    public bool HasUnansweredWork => _connection is { } c && TxPending(c) > 0;

    public long Progress => Counters.Requests;

    /// <summary>Not counted for vifs: a network may lose frames, so the no-io-lost check is about block requests.</summary>
    public int UnansweredRequests => 0;

    public long TakeHoldBackNs() => 0;

    public int ResumeHeld() => Service();

    public RecoveryResult Reattach(FrontendLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        EthernetFrame[] queued;
        lock (_rxQueueLock)
        {
            queued = [.. _rxQueue];
        }

        Disconnect();
        if (Connect(link) is { } refusal)
        {
            return RecoveryResult.Failed(refusal);
        }

        var connection = _connection!;
        lock (_rxQueueLock)
        {
            foreach (var frame in queued)
            {
                _rxQueue.Enqueue(frame);
            }
        }

        int pending = (int)TxPending(connection);
        Faults.Record("reattach", string.Create(CultureInfo.InvariantCulture, $"tx ring at rsp_prod {connection.TxResponsePublished}, rx ring at rsp_prod {connection.RxResponsePublished}, {queued.Length} frames kept for the guest"));
        Faults.Record("replay", string.Create(CultureInfo.InvariantCulture, $"{pending} tx requests"));

        // A response published just before the crash may never have been notified: notify once, spuriously at worst.
        connection.TxChannel.Notify();
        if (!ReferenceEquals(connection.RxChannel, connection.TxChannel))
        {
            connection.RxChannel.Notify();
        }

        Service();
        return new RecoveryResult(pending, null);
    }

    /// <summary>Tx requests published and not taken (0 when the producer is out of range: the next service counts that).</summary>
    private static uint TxPending(Connection connection)
    {
        var producer = new SharedRingHeader(connection.TxPage.Bytes).RequestProducer;
        var pending = unchecked(producer - connection.TxRequestConsumer);
        return pending > NetifLayout.TxRingEntries ? 0 : pending;
    }
}
