namespace ActorVisor.Scheduler.Rounds;

/// <summary>What <see cref="SliceRounds"/> asks of whoever drives it (the host's scheduler actor).</summary>
public interface IRoundActions
{
    /// <summary>Run a segment of <paramref name="vcpu"/> on physical CPU <paramref name="pcpu"/>: at most <paramref name="budget"/> instructions from virtual time <paramref name="nowNs"/>.</summary>
    void RunSegment(VcpuKey vcpu, int pcpu, long nowNs, long budget);

    /// <summary>End the segment <paramref name="vcpu"/> is running as soon as its CPU can (a wake-up tickled that CPU).</summary>
    void Preempt(VcpuKey vcpu);

    /// <summary>Call <see cref="SliceRounds.Tick"/> after <paramref name="delayNs"/> of virtual time, replacing any tick asked for before.</summary>
    void TickAfter(long delayNs);

    /// <summary>Forget the tick asked for before, if any.</summary>
    void CancelTick();
}
