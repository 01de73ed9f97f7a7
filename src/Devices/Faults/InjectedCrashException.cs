namespace ActorVisor.Devices.Faults;

/// <summary>
/// Thrown by a back-end where the fault plan says <see cref="FaultEffect.Crash"/>: the one exception
/// in the device code that is meant to reach a supervisor. It stands for a driver bug, never for
/// something a guest did.
/// </summary>
public sealed class InjectedCrashException : Exception
{
    public InjectedCrashException()
        : this("injected crash")
    {
    }

    public InjectedCrashException(string message)
        : base(message)
    {
    }

    public InjectedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InjectedCrashException(FaultPoint point, string? rule)
        : base($"injected crash at {point}" + (rule is null ? "" : $" ({rule})"))
    {
        Point = point;
    }

    public FaultPoint Point { get; }
}
