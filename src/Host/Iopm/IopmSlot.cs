using ActorVisor.Config.Scenario;
using Akka.Actor;

namespace ActorVisor.Host.Iopm;

/// <summary>The hypervisor's record of one IOPM: its spec, its context (id, load), and its actor once it serves a first device.</summary>
public sealed class IopmSlot
{
    public IopmSlot(IopmSpec spec, IopmContext context)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(context);
        Spec = spec;
        Context = context;
    }

    public IopmSpec Spec { get; }

    public IopmContext Context { get; }

    /// <summary>The IOPM's actor; created with its first device, so that a run without devices has no IOPM actors at all.</summary>
    public IActorRef? Actor { get; set; }

    private readonly Dictionary<BackendKind, int> _assigned = [];

    /// <summary>Devices it serves now, as the hypervisor assigned them (the placement policy counts these).</summary>
    public int Assigned { get; private set; }

    /// <summary>Devices of one class it serves now.</summary>
    public int AssignedOf(BackendKind kind) => _assigned.GetValueOrDefault(kind);

    /// <summary>Counts <paramref name="count"/> more devices of <paramref name="kind"/> (a negative count gives them back).</summary>
    public void Assign(BackendKind kind, int count = 1)
    {
        _assigned[kind] = AssignedOf(kind) + count;
        Assigned += count;
    }

    /// <summary>Devices given to it over the run.</summary>
    public int DevicesServed { get; set; }

    /// <summary>Its supervisors' restarts of it and of its back-ends.</summary>
    public Faults.RestartStatistics Restarts { get; } = new();

    /// <summary>True once it went past its restart limit and its devices moved to other IOPMs: it is given no devices any more.</summary>
    public bool Retired { get; set; }

    public bool Serves(BackendKind kind) => Spec.Backends.Contains(kind);
}
