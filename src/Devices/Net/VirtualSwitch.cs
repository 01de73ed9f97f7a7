namespace ActorVisor.Devices.Net;

/// <summary>
/// A learning Ethernet switch, one per bridge name. Each frame a port sends teaches the switch
/// that its source MAC lives behind that port; a frame to a learned unicast MAC goes to that port
/// only, a broadcast, multicast or unknown unicast frame goes to every other port (flooding), and
/// no frame goes back out of the port it came in on.
/// </summary>
/// <remarks>
/// Invariants: the MAC table never holds more than <see cref="MacTableLimit"/> entries (when it is
/// full a new source is not learned and frames to it are flooded, so a guest that sends from many
/// addresses cannot evict its neighbours' entries); a group or all-zero source is never learned
/// (the frame is dropped); an entry names an attached port (detaching a port forgets its entries).
/// Nothing depends on wall-clock time: without a clock entries never age; with one, an entry not
/// refreshed for <see cref="AgeingTime"/> is treated as unknown and replaced.
///
/// Threads: ports may send from different threads (each vif is served on its IOPM's thread). The
/// table and the port list are guarded by one lock held only while a frame's destinations are
/// chosen; the frame is handed to the destination ports after the lock is released, and each
/// port's <see cref="IFramePort.Deliver"/> is itself thread-safe (a vif queues the frame for its
/// own thread). So no ring is ever touched from another vif's thread, and the lock is never held
/// while calling out.
/// </remarks>
public sealed class VirtualSwitch
{
    /// <summary>Linux's bridge default ageing time, used when a clock is given and no ageing time is.</summary>
    public static readonly TimeSpan DefaultAgeingTime = TimeSpan.FromSeconds(300);

    private readonly Lock _lock = new();
    private readonly Dictionary<MacAddress, Entry> _table = [];
    private readonly TimeProvider? _clock;
    private SwitchPort[] _ports = [];
    private long _forwarded;
    private long _flooded;
    private long _dropped;
    private long _tableFull;

    /// <param name="name">The bridge name from the vif spec (xenbr0, ...).</param>
    /// <param name="macTableLimit">Most MACs the switch remembers.</param>
    /// <param name="clock">Time for ageing entries (the host's virtual clock); null means entries never age.</param>
    /// <param name="ageingTime">How long an entry lives without being refreshed (with a clock only).</param>
    public VirtualSwitch(string name, int macTableLimit = 1024, TimeProvider? clock = null, TimeSpan? ageingTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(macTableLimit, 1);
        Name = name;
        MacTableLimit = macTableLimit;
        _clock = clock;
        AgeingTime = ageingTime ?? DefaultAgeingTime;
    }

    public string Name { get; }

    public int MacTableLimit { get; }

    public TimeSpan AgeingTime { get; }

    /// <summary>Frames sent to one learned port.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Frames sent to every other port (broadcast, multicast, unknown destination).</summary>
    public long Flooded => Interlocked.Read(ref _flooded);

    /// <summary>Frames dropped: shorter than a header, from a group or zero source, or to the port they came from.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Sources not learned because the table was full.</summary>
    public long TableFullEvents => Interlocked.Read(ref _tableFull);

    public int LearnedAddresses
    {
        get
        {
            lock (_lock)
            {
                return _table.Count;
            }
        }
    }

    public int PortCount => Volatile.Read(ref _ports).Length;

    /// <summary>Connects <paramref name="port"/>; the returned handle is how the port sends and leaves.</summary>
    public SwitchPort Attach(IFramePort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        var handle = new SwitchPort(this, port);
        lock (_lock)
        {
            _ports = [.. _ports, handle];
        }
        return handle;
    }

    /// <summary>The port a unicast MAC was learned on, or null (unknown, aged out, or a group address).</summary>
    public IFramePort? LearnedPort(MacAddress mac)
    {
        lock (_lock)
        {
            return _table.TryGetValue(mac, out var entry) && !Expired(entry, Now()) ? entry.Port.Port : null;
        }
    }

    internal void Detach(SwitchPort handle)
    {
        lock (_lock)
        {
            if (Array.IndexOf(_ports, handle) < 0)
            {
                return;
            }
            _ports = [.. _ports.Where(p => p != handle)];
            foreach (var mac in _table.Where(e => e.Value.Port == handle).Select(e => e.Key).ToList())
            {
                _table.Remove(mac);
            }
        }
    }

    internal void Forward(SwitchPort from, EthernetFrame frame)
    {
        if (!frame.HasHeader || !frame.Source.IsValidSource)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        var destination = frame.Destination;
        SwitchPort? target = null;
        SwitchPort[] ports;
        lock (_lock)
        {
            ports = _ports;
            if (Array.IndexOf(ports, from) < 0)
            {
                return;
            }
            var now = Now();
            Learn(frame.Source, from, now);
            if (!destination.IsMulticast && _table.TryGetValue(destination, out var entry) && !Expired(entry, now))
            {
                target = entry.Port;
            }
        }
        if (target is not null)
        {
            if (target == from)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }
            Interlocked.Increment(ref _forwarded);
            target.Port.Deliver(frame);
            return;
        }
        Interlocked.Increment(ref _flooded);
        foreach (var port in ports)
        {
            if (port != from)
            {
                port.Port.Deliver(frame);
            }
        }
    }

    private void Learn(MacAddress source, SwitchPort port, TimeSpan now)
    {
        if (_table.ContainsKey(source))
        {
            _table[source] = new Entry(port, now);
            return;
        }
        if (_table.Count >= MacTableLimit)
        {
            RemoveExpired(now);
            if (_table.Count >= MacTableLimit)
            {
                Interlocked.Increment(ref _tableFull);
                return;
            }
        }
        _table[source] = new Entry(port, now);
    }

    private void RemoveExpired(TimeSpan now)
    {
        if (_clock is null)
        {
            return;
        }
        foreach (var mac in _table.Where(e => Expired(e.Value, now)).Select(e => e.Key).ToList())
        {
            _table.Remove(mac);
        }
    }

    private TimeSpan Now() => _clock is null ? TimeSpan.Zero : _clock.GetUtcNow() - DateTimeOffset.UnixEpoch;

    private bool Expired(Entry entry, TimeSpan now) => _clock is not null && now - entry.LastSeen >= AgeingTime;

    private readonly record struct Entry(SwitchPort Port, TimeSpan LastSeen);
}
