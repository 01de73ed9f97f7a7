namespace ActorVisor.Devices.Faults;

/// <summary>
/// The fault plan as one device sees it. A back-end calls <see cref="At"/> at each
/// <see cref="FaultPoint"/> on its own thread; the plan counts what it needs (requests so far, a
/// seeded random draw) and answers. Decisions depend only on the plan, its seed and the sequence of
/// calls, never on wall-clock time, so the same seed gives the same fault timeline.
/// </summary>
public interface IFaultSite
{
    FaultDecision At(FaultPoint point);

    /// <summary>Notes a fault or recovery step (restarted, re-attached, replayed N requests, watchdog fired) for the run's timeline.</summary>
    void Record(string step, string detail);
}

/// <summary>A site where nothing is ever injected and nothing is recorded: the default.</summary>
public sealed class NoFaults : IFaultSite
{
    public static readonly NoFaults Instance = new();

    private NoFaults()
    {
    }

    public FaultDecision At(FaultPoint point) => FaultDecision.None;

    public void Record(string step, string detail)
    {
    }
}
