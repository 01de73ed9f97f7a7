namespace ActorVisor.Devices.Backends;

/// <summary>The split-driver device classes, by their XenStore directory names.</summary>
public enum DeviceClass
{
    /// <summary>A virtual block device (blkif), backend/vbd.</summary>
    Vbd,

    /// <summary>A virtual network interface (netif), backend/vif.</summary>
    Vif,

    /// <summary>A PV console (the console ring), backend/console.</summary>
    Console,
}

/// <summary>
/// One device back-end as its IOPM hosts it: pure protocol logic over the front-end's granted pages,
/// with no actor, thread or XenStore of its own. The host drives it through XenBus:
/// <see cref="AdvertisedKeys"/> go into the back-end directory before the state goes to InitWait;
/// when the front-end reaches Initialised the host calls <see cref="Connect"/> and, if it returns
/// null, moves the back-end to Connected; every notification from the front-end becomes one
/// <see cref="Service"/> call on the IOPM's thread; <see cref="Disconnect"/> ends the connection
/// (front-end Closing, domain destroyed, device moved). Everything a guest can cause is a result:
/// a malformed ring is answered with error responses and counted, never thrown.
/// </summary>
public interface IDeviceBackend
{
    DeviceClass Class { get; }

    /// <summary>The keys the back-end publishes for the front-end to read (feature-*, sectors, mac, ...).</summary>
    IReadOnlyList<KeyValuePair<string, string>> AdvertisedKeys { get; }

    /// <summary>Maps the rings the front-end named and takes its channels; returns why the connection is refused, or null.</summary>
    string? Connect(FrontendLink link);

    /// <summary>Consumes what the front-end has queued and answers it; returns how many requests (or packets) it handled.</summary>
    int Service();

    /// <summary>Unmaps the rings and forgets the front-end; the device can connect again afterwards.</summary>
    void Disconnect();

    /// <summary>Requests handled, refused and bytes moved so far, for the per-device and per-IOPM figures.</summary>
    DeviceCounters Counters { get; }
}

/// <summary>Per-device counters a back-end keeps (reads are cheap; the host sums them per IOPM).</summary>
public sealed class DeviceCounters
{
    private long _requests;
    private long _errors;
    private long _bytes;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests refused or answered with an error because of what the front-end put on the ring.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void CountRequest(long bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void CountError() => Interlocked.Increment(ref _errors);
}
