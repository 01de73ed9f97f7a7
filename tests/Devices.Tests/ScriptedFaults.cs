using ActorVisor.Devices.Faults;

namespace ActorVisor.Devices.Tests;

/// <summary>
/// A fault site for tests: each rule fires once, at the <c>n</c>-th time (from 1) the back-end asks
/// at its point, and every recorded step is kept in order, so a test states exactly where a fault
/// strikes and reads back what the back-end did about it.
/// </summary>
public sealed class ScriptedFaults : IFaultSite
{
    private readonly Dictionary<FaultPoint, int> _asked = [];
    private readonly List<(FaultPoint Point, int Occurrence, FaultDecision Decision)> _rules = [];

    public List<(string Step, string Detail)> Steps { get; } = [];

    public ScriptedFaults At(FaultPoint point, int occurrence, FaultEffect effect, long delayNs = 0)
    {
        _rules.Add((point, occurrence, new FaultDecision(effect, delayNs, $"{effect} at {point} #{occurrence}")));
        return this;
    }

    public int Asked(FaultPoint point) => _asked.GetValueOrDefault(point);

    public FaultDecision At(FaultPoint point)
    {
        var count = _asked[point] = _asked.GetValueOrDefault(point) + 1;
        var rule = _rules.FindIndex(r => r.Point == point && r.Occurrence == count);
        if (rule < 0)
        {
            return FaultDecision.None;
        }

        var decision = _rules[rule].Decision;
        _rules.RemoveAt(rule);
        return decision;
    }

    public void Record(string step, string detail) => Steps.Add((step, detail));

    public string? Detail(string step) => Steps.FirstOrDefault(s => s.Step == step).Detail;
}
