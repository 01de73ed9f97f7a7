using ActorVisor.Abi;
using ActorVisor.Host.Domains;
using ActorVisor.Hypervisor;

namespace ActorVisor.Host.Iopm;

/// <summary>
/// What an IOPM's back-ends reach the rest of the host through: its domain id and name, the host's
/// seam (live front-end domains, the back-end port table), the machine (for grant access) and the
/// store. The back-end side ports it numbers itself, for EVTCHNOP_status to report.
/// </summary>
public sealed class IopmContext
{
    private int _nextPort;

    public IopmContext(string name, int id, HostSeam seam, Machine machine, HostStore store)
    {
        ArgumentNullException.ThrowIfNull(seam);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(store);
        Name = name;
        Id = id;
        Seam = seam;
        Machine = machine;
        Store = store;
    }

    public string Name { get; }

    public int Id { get; }

    public DomId DomId => new((ushort)Id);

    public HostSeam Seam { get; }

    public Machine Machine { get; }

    public HostStore Store { get; }

    public IopmLoad Load { get; } = new();

    /// <summary>A fresh back-end side port number of this IOPM.</summary>
    public uint NextPort() => (uint)Interlocked.Increment(ref _nextPort);

    /// <summary>The live front-end domain, or null when it is gone.</summary>
    internal LiveDomain? Frontend(int id) => Seam.Domains.TryGetValue(id, out var live) ? live : null;
}
