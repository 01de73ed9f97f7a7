using ActorVisor.Config.Hocon;

namespace ActorVisor.Config.Faults;

/// <summary>What an injected fault does (the words of the fault grammar; the host maps them onto the device layer's effects).</summary>
public enum FaultRuleEffect
{
    /// <summary><c>crash</c>: the back-end (or the whole IOPM) fails as a driver bug would, and its supervisor restarts it.</summary>
    Crash,

    /// <summary><c>hang</c>: the back-end stops making progress; the watchdog must notice.</summary>
    Hang,

    /// <summary><c>eio</c>: the host I/O fails with EIO.</summary>
    IoError,

    /// <summary><c>enospc</c>: the host write fails with ENOSPC.</summary>
    NoSpace,

    /// <summary><c>short-write</c>: the host write stores only part of the data.</summary>
    ShortWrite,

    /// <summary><c>delay D</c>: the host I/O or the notification is held back for D of virtual time.</summary>
    Delay,

    /// <summary><c>drop</c>: the notification is lost.</summary>
    Drop,
}

/// <summary>Where in a back-end's life a rule strikes (the words of the fault grammar for the device layer's fault points).</summary>
public enum FaultRulePoint
{
    /// <summary><c>taken</c>: a request was consumed off the ring, nothing of it done.</summary>
    Taken,

    /// <summary><c>before-data</c>: a write's data is about to reach the image.</summary>
    BeforeData,

    /// <summary><c>after-data</c>: the host I/O is done, the response not yet on the ring.</summary>
    AfterData,

    /// <summary><c>response</c>: the response is on the ring, the front-end not yet notified.</summary>
    Response,

    /// <summary><c>host-read</c>: a read of the image.</summary>
    HostRead,

    /// <summary><c>host-write</c>: a write of the image.</summary>
    HostWrite,

    /// <summary><c>flush</c>: a flush of the image.</summary>
    Flush,

    /// <summary><c>notify-frontend</c>: the back-end notifies the front-end.</summary>
    NotifyFrontend,

    /// <summary><c>notify-backend</c>: the front-end's notification reaches the back-end.</summary>
    NotifyBackend,
}

/// <summary>How often a rule fires among the calls that match it (at its point, on its target, from its arming time on).</summary>
public enum FaultTrigger
{
    /// <summary>No count given: the first matching call (or, for a strike, the arming time itself), once.</summary>
    Once,

    /// <summary><c>after N [requests]</c>: the N-th matching call, once.</summary>
    After,

    /// <summary><c>every N [requests]</c>: every N-th matching call.</summary>
    Every,

    /// <summary><c>with probability P</c>: each matching call, with probability P from the run's seeded generator.</summary>
    Probability,
}

/// <summary>
/// One rule of a run's fault plan, parsed from the fault grammar (docs/configuration.md, "Fault
/// injection") by <see cref="FaultSpecParser"/>: which IOPM and device it targets (glob patterns,
/// <see cref="DevicePattern"/> null for the IOPM as a whole), what it does, where, from when and
/// how often. <see cref="IsStrike"/> rules (crash or hang, no point, no count) act at their time on
/// the target as it stands; the others are armed at <see cref="FromNs"/> and fire at the target's
/// fault points.
/// </summary>
/// <param name="Name">The plan's name for the rule in the timeline, <c>rule N</c> in plan order.</param>
/// <param name="Origin">Where the rule was written (a scenario's line, or the command-line flag).</param>
/// <param name="Text">The rule as written.</param>
/// <param name="IopmPattern">The IOPM's name, or a glob (<c>*</c>, <c>?</c>) over IOPM names.</param>
/// <param name="DevicePattern">The device actor's name (<c>vbd-3-51712</c>, <c>vif-4-0</c>) or a glob over them; null for the whole IOPM.</param>
/// <param name="DelayNs">For <see cref="FaultRuleEffect.Delay"/>, the virtual nanoseconds to hold back.</param>
/// <param name="Point">Where it strikes; null when the rule names none (a strike, or the effect's usual point, see <see cref="PointOrDefault"/>).</param>
/// <param name="FromNs">The virtual time it is armed at (<c>now</c>, <c>at T</c>, or the timeline entry's time); null when not given (armed from the start).</param>
/// <param name="Count">N of <c>after N</c> and <c>every N</c>.</param>
/// <param name="Probability">P of <c>with probability P</c>.</param>
public sealed record FaultRule(
    string Name,
    ConfigOrigin Origin,
    string Text,
    string IopmPattern,
    string? DevicePattern,
    FaultRuleEffect Effect,
    long DelayNs,
    FaultRulePoint? Point,
    long? FromNs,
    FaultTrigger Trigger,
    long Count,
    double Probability)
{
    /// <summary>A crash or hang with no point and no count, acting on the target at its time rather than at one of its fault points.</summary>
    public bool IsStrike => Effect is FaultRuleEffect.Crash or FaultRuleEffect.Hang && Point is null && Trigger == FaultTrigger.Once;

    /// <summary>The point the rule strikes at: its own, or the effect's usual one (a request taken for crash and hang, a host write for host errors and delays, a notification of the front-end for drop).</summary>
    public FaultRulePoint PointOrDefault => Point ?? Effect switch
    {
        FaultRuleEffect.Crash or FaultRuleEffect.Hang => FaultRulePoint.Taken,
        FaultRuleEffect.Drop => FaultRulePoint.NotifyFrontend,
        _ => FaultRulePoint.HostWrite,
    };

    /// <summary>True when the rule's target patterns name <paramref name="iopm"/> and <paramref name="device"/> (a rule for the whole IOPM names each of its devices too).</summary>
    public bool Targets(string iopm, string device) =>
        Glob.Matches(IopmPattern, iopm) && (DevicePattern is null || Glob.Matches(DevicePattern, device));
}
