using System.Collections.Concurrent;
using ActorVisor.Config.Faults;
using ActorVisor.Devices.Faults;

namespace ActorVisor.Host.Faults;

/// <summary>
/// A run's fault plan (<see cref="IFaultSites"/>): the rules of the scenario's <c>faults</c> list,
/// its timeline's <c>inject</c> actions and the command line's <c>--inject</c> flags, in that order,
/// seeded with the run's seed. Each device gets a <see cref="FaultSite"/> of the rules that target
/// it (an IOPM-wide rule targets each of the IOPM's devices; when such a crash fires at one of them,
/// the IOPM's supervisor fails the whole IOPM, see <see cref="TakeIopmCrash"/>). Strikes (crash or
/// hang at a time, no point or count) are not decided at sites: the timeline sends them to the
/// IOPMs as <see cref="Iopm.InjectIopmFault"/>. Every fault and recovery step recorded by a site
/// is kept with its virtual time and printed as a <c>[fault]</c> line.
/// </summary>
public sealed class FaultSites : IFaultSites
{
    private readonly IReadOnlyList<FaultRule> _rules;
    private readonly long _seed;
    private readonly Func<long> _now;
    private readonly Action<string> _output;
    private readonly ConcurrentDictionary<(string Iopm, string Device), FaultSite> _sites = new();
    private readonly ConcurrentDictionary<string, int> _iopmCrashes = new(StringComparer.Ordinal);
    private readonly List<FaultRecord> _records = [];
    private readonly Lock _lock = new();

    /// <param name="rules">The plan, in plan order.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="nowNs">The run's virtual time in nanoseconds.</param>
    /// <param name="output">Receives each record as a <c>[fault] ...</c> line.</param>
    public FaultSites(IReadOnlyList<FaultRule> rules, long seed, Func<long> nowNs, Action<string>? output = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(nowNs);
        _rules = rules;
        _seed = seed;
        _now = nowNs;
        _output = output ?? (_ => { });
    }

    public IReadOnlyList<FaultRule> Rules => _rules;

    /// <summary>The rules that act at their time rather than at fault points.</summary>
    public IEnumerable<FaultRule> Strikes => _rules.Where(r => r.IsStrike);

    /// <summary>Every step recorded so far, in order.</summary>
    public IReadOnlyList<FaultRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return _records.ToList();
            }
        }
    }

    public IFaultSite For(string iopm, string device)
    {
        ArgumentNullException.ThrowIfNull(iopm);
        ArgumentNullException.ThrowIfNull(device);
        return _sites.GetOrAdd((iopm, device), key => new FaultSite(
            this,
            key.Iopm,
            key.Device,
            _rules.Select((rule, index) => (rule, index)).Where(r => !r.rule.IsStrike && r.rule.Targets(key.Iopm, key.Device) && (key.Device.Length > 0 || r.rule.DevicePattern is null)),
            _seed));
    }

    /// <summary>Restarts recorded for the IOPM as a whole.</summary>
    public int Restarts(string iopm) => Count(iopm, "", "restart");

    /// <summary>Restarts recorded by one back-end of the IOPM.</summary>
    public int Restarts(string iopm, string device) => Count(iopm, device, "restart");

    /// <summary>True (once per firing) when an IOPM-wide crash rule fired at one of the IOPM's devices: its supervisor then fails the IOPM rather than restart the one back-end.</summary>
    public bool TakeIopmCrash(string iopm)
    {
        while (_iopmCrashes.TryGetValue(iopm, out int pending) && pending > 0)
        {
            if (_iopmCrashes.TryUpdate(iopm, pending - 1, pending))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Makes the next request a device takes meet <paramref name="effect"/> (a strike's hang).</summary>
    public void Arm(string iopm, string device, FaultEffect effect, string rule) =>
        ((FaultSite)For(iopm, device)).Arm(new FaultDecision(effect, 0, rule));

    internal long NowNs() => _now();

    internal void Fired(FaultSite site, FaultRule rule, FaultPoint point)
    {
        if (rule.DevicePattern is null && rule.Effect == FaultRuleEffect.Crash)
        {
            _iopmCrashes.AddOrUpdate(site.Iopm, 1, (_, n) => n + 1);
        }

        Add(site.Iopm, site.Device, "fault", $"{FaultSpecParser.Word(rule.Effect)} at {FaultSpecParser.Word(rule.PointOrDefault)} ({rule.Name}: {rule.Text})");
    }

    internal void Add(string iopm, string device, string step, string detail)
    {
        var record = new FaultRecord(_now(), iopm, device, step, detail);
        lock (_lock)
        {
            _records.Add(record);
            _output($"[fault] {record}");
        }
    }

    private int Count(string iopm, string device, string step)
    {
        lock (_lock)
        {
            return _records.Count(r => r.Iopm == iopm && r.Device == device && r.Step == step);
        }
    }
}
