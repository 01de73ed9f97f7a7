namespace ActorVisor.Hypervisor.Pv.Time;

/// <summary>
/// A domain's system time in virtual nanoseconds: retired guest instructions times a fixed rate,
/// plus the time the domain spent idle (blocked with a timer pending, fast-forwarded to the
/// deadline). Nothing here reads the host clock, so a run is reproducible.
/// The guest's TSC runs at 1 GHz of this time: one TSC tick is one virtual nanosecond.
/// </summary>
public sealed class VirtualClock
{
    private long _retiredInstructions;
    private long _idleNs;

    /// <param name="nanosecondsPerInstruction">How much virtual time one retired instruction takes; must be positive.</param>
    /// <param name="wallclockAtZero">Wall-clock time (Unix ns) at system time 0, as written to shared_info.</param>
    public VirtualClock(double nanosecondsPerInstruction = 1.0, long wallclockAtZero = 1_767_225_600L * 1_000_000_000L)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nanosecondsPerInstruction);
        NanosecondsPerInstruction = nanosecondsPerInstruction;
        WallclockAtZeroNs = wallclockAtZero;
    }

    public double NanosecondsPerInstruction { get; }

    /// <summary>Unix time in nanoseconds at system time 0 (default: 2026-01-01T00:00:00Z).</summary>
    public long WallclockAtZeroNs { get; }

    /// <summary>System time now, in nanoseconds since the domain started.</summary>
    public long NowNs => (long)(_retiredInstructions * NanosecondsPerInstruction) + _idleNs;

    /// <summary>The TSC value the guest reads now (1 tick per virtual nanosecond).</summary>
    public ulong Tsc => (ulong)NowNs;

    /// <summary>Accounts for instructions the vCPU retired.</summary>
    public void AddInstructions(long retired) => _retiredInstructions += retired;

    /// <summary>Moves time forward to <paramref name="deadlineNs"/> while the domain idles; never backwards.</summary>
    public void IdleUntil(long deadlineNs)
    {
        long now = NowNs;
        if (deadlineNs > now)
        {
            _idleNs += deadlineNs - now;
        }
    }

    /// <summary>TSC-to-system scale for vcpu_time_info: ns = ((tsc &lt;&lt; 1) * 0x80000000) &gt;&gt; 32 = tsc.</summary>
    public const uint TscToSystemMul = 0x8000_0000;

    /// <summary>The shift that goes with <see cref="TscToSystemMul"/>.</summary>
    public const sbyte TscShift = 1;
}
