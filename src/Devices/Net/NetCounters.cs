namespace ActorVisor.Devices.Net;

/// <summary>
/// Per-vif network figures, on top of <see cref="Backends.DeviceCounters"/> (which counts packets
/// both ways as requests, their bytes, and the guest's ring errors). Tx is what the guest sent,
/// rx what it received. Updated on the vif's own thread or, for rx drops, on a sender's; reads
/// are safe from any thread.
/// </summary>
public sealed class NetCounters
{
    private readonly long[] _errors = new long[Enum.GetValues<NetRingError>().Length];
    private long _txPackets;
    private long _txBytes;
    private long _txDropped;
    private long _rxPackets;
    private long _rxBytes;
    private long _rxQueueFull;
    private long _rxNotConnected;
    private long _rxTooLarge;

    /// <summary>Packets the guest sent that went to the switch.</summary>
    public long TxPackets => Interlocked.Read(ref _txPackets);

    public long TxBytes => Interlocked.Read(ref _txBytes);

    /// <summary>Packets the guest sent that were refused (each also counted by reason).</summary>
    public long TxDropped => Interlocked.Read(ref _txDropped);

    /// <summary>Frames copied into the guest's rx buffers.</summary>
    public long RxPackets => Interlocked.Read(ref _rxPackets);

    public long RxBytes => Interlocked.Read(ref _rxBytes);

    /// <summary>Frames dropped because the vif's queue was full (the guest posted no rx buffers for too long).</summary>
    public long RxDroppedQueueFull => Interlocked.Read(ref _rxQueueFull);

    /// <summary>Frames dropped because no front-end was connected.</summary>
    public long RxDroppedNotConnected => Interlocked.Read(ref _rxNotConnected);

    /// <summary>Frames dropped because they need more than one rx buffer and the front-end did not offer feature-sg.</summary>
    public long RxDroppedTooLarge => Interlocked.Read(ref _rxTooLarge);

    public long RxDropped => RxDroppedQueueFull + RxDroppedNotConnected + RxDroppedTooLarge;

    /// <summary>How often the front-end made error <paramref name="error"/>.</summary>
    public long Errors(NetRingError error) => Interlocked.Read(ref _errors[(int)error]);

    /// <summary>All ring errors, every reason together.</summary>
    public long TotalErrors
    {
        get
        {
            long sum = 0;
            for (var i = 1; i < _errors.Length; i++)
            {
                sum += Interlocked.Read(ref _errors[i]);
            }
            return sum;
        }
    }

    internal void CountError(NetRingError error) => Interlocked.Increment(ref _errors[(int)error]);

    internal void CountTx(int bytes)
    {
        Interlocked.Increment(ref _txPackets);
        Interlocked.Add(ref _txBytes, bytes);
    }

    internal void CountTxDropped() => Interlocked.Increment(ref _txDropped);

    internal void CountRx(int bytes)
    {
        Interlocked.Increment(ref _rxPackets);
        Interlocked.Add(ref _rxBytes, bytes);
    }

    internal void CountRxQueueFull() => Interlocked.Increment(ref _rxQueueFull);

    internal void CountRxNotConnected() => Interlocked.Increment(ref _rxNotConnected);

    internal void CountRxTooLarge() => Interlocked.Increment(ref _rxTooLarge);
}
