namespace ActorVisor.Host.Faults;

/// <summary>One fault or recovery step of a run, at its virtual time: <paramref name="Device"/> is empty for a step of the IOPM as a whole.</summary>
/// <param name="Step">What happened: the back-ends' crash, restart, reattach, replay, watchdog, closed, and the plan's own fault (a rule fired) and strike (a rule acted at its time).</param>
public sealed record FaultRecord(long TimeNs, string Iopm, string Device, string Step, string Detail)
{
    public override string ToString() =>
        $"{Scenario.Checks.FormatNs(TimeNs)}: {Iopm}{(Device.Length == 0 ? "" : "/" + Device)}: {Step}: {Detail}";
}
