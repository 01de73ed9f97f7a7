using ActorVisor.Config.Faults;
using ActorVisor.Devices.Faults;

namespace ActorVisor.Host.Faults;

/// <summary>
/// The fault plan at one device (or at an IOPM's own site, device ""): the rules that target it,
/// each with its own count of matching calls and its own generator, seeded from the run's seed,
/// the rule's place in the plan and the site's names. A decision therefore depends only on the
/// plan, the seed and this site's sequence of calls (and, for a rule armed at a time, on the
/// virtual time of the call). Calls are serialised by a lock: a site is one device's, called on its
/// IOPM's thread, but the plan may be read from the timeline at the same time.
/// </summary>
public sealed class FaultSite : IFaultSite
{
    private readonly FaultSites _plan;
    private readonly Armed[] _rules;
    private readonly Lock _lock = new();
    private FaultDecision? _pending;

    internal FaultSite(FaultSites plan, string iopm, string device, IEnumerable<(FaultRule Rule, int Index)> rules, long seed)
    {
        _plan = plan;
        Iopm = iopm;
        Device = device;
        _rules = rules.Select(r => new Armed(r.Rule, FaultWords.Point(r.Rule.PointOrDefault), new Random(Seed(seed, r.Index, iopm, device)))).ToArray();
    }

    public string Iopm { get; }

    public string Device { get; }

    public FaultDecision At(FaultPoint point)
    {
        FaultDecision decision;
        FaultRule? fired = null;
        lock (_lock)
        {
            decision = FaultDecision.None;
            if (point == FaultPoint.RequestTaken && _pending is { } pending)
            {
                _pending = null;
                decision = pending;
            }

            long now = _plan.NowNs();
            foreach (var armed in _rules)
            {
                if (armed.Point != point || (armed.Rule.FromNs is { } from && now < from) || armed.Spent)
                {
                    continue;
                }

                armed.Calls++;
                bool fire = armed.Rule.Trigger switch
                {
                    FaultTrigger.After => armed.Calls == armed.Rule.Count,
                    FaultTrigger.Every => armed.Calls % armed.Rule.Count == 0,
                    FaultTrigger.Probability => armed.Random.NextDouble() < armed.Rule.Probability,
                    _ => true,
                };
                armed.Spent = armed.Rule.Trigger is FaultTrigger.Once or FaultTrigger.After && fire;
                if (fire && decision.IsNone)
                {
                    decision = new FaultDecision(FaultWords.Effect(armed.Rule.Effect), armed.Rule.DelayNs, armed.Rule.Name);
                    fired = armed.Rule;
                }
            }
        }

        if (fired is not null)
        {
            _plan.Fired(this, fired, point);
        }

        return decision;
    }

    public void Record(string step, string detail) => _plan.Add(Iopm, Device, step, detail);

    /// <summary>Makes the next request taken here meet <paramref name="decision"/> (a strike's hang of a device, which its watchdog must catch).</summary>
    internal void Arm(FaultDecision decision)
    {
        lock (_lock)
        {
            _pending = decision;
        }
    }

    /// <summary>A stable mix of the run's seed and the site (string.GetHashCode differs between processes).</summary>
    private static int Seed(long seed, int rule, string iopm, string device)
    {
        ulong hash = 14695981039346656037UL ^ (ulong)seed;
        foreach (char c in $"{rule}/{iopm}/{device}")
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return (int)(hash ^ (hash >> 32));
    }

    private sealed class Armed(FaultRule rule, FaultPoint point, Random random)
    {
        public FaultRule Rule { get; } = rule;

        public FaultPoint Point { get; } = point;

        public Random Random { get; } = random;

        public long Calls { get; set; }

        public bool Spent { get; set; }
    }
}
