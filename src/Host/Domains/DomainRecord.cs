using ActorVisor.Config.Domain;
using Akka.Actor;

namespace ActorVisor.Host.Domains;

/// <summary>The hypervisor's entry for one named domain across its incarnations.</summary>
internal sealed class DomainRecord(DomainSpec spec, ReadOnlyMemory<byte> kernel, byte[]? ramdisk)
{
    private long _frozenHypercalls;

    public DomainSpec Spec { get; } = spec;

    public ReadOnlyMemory<byte> Kernel { get; } = kernel;

    /// <summary>The boot module (initrd) the builder places after the kernel, or null.</summary>
    public byte[]? Ramdisk { get; } = ramdisk;

    public string Name => Spec.Name;

    public int Id { get; set; }

    public DomainState State { get; set; }

    public string? ExitReason { get; set; }

    public IActorRef? Actor { get; set; }

    public LiveDomain? Live { get; set; }

    public DomainCounters Counters { get; } = new();

    public int Restarts { get; set; }

    /// <summary>Keeps the live incarnation's hypercall count and lets it go.</summary>
    public void Freeze()
    {
        if (Live is { } live)
        {
            _frozenHypercalls += live.Hypercalls;
            Live = null;
        }
    }

    public DomainInfo Info() => new(
        Name,
        Id,
        State,
        ExitReason,
        Counters.Instructions,
        _frozenHypercalls + (Live?.Hypercalls ?? 0),
        Counters.CpuNs,
        Restarts,
        (long)(Live?.Domain.Reservation.MaximumPages ?? 0) << 12);
}
