namespace ActorVisor.Devices.Faults;

/// <summary>What an injected fault does where it strikes.</summary>
public enum FaultEffect
{
    /// <summary>Nothing: carry on.</summary>
    None,

    /// <summary>The back-end fails as a crashing driver would: it throws <see cref="InjectedCrashException"/> and its supervisor restarts it.</summary>
    Crash,

    /// <summary>The back-end stops making progress on this request; the watchdog must notice and restart it.</summary>
    Hang,

    /// <summary>The host I/O fails with EIO; the guest gets an error response.</summary>
    IoError,

    /// <summary>The host write fails with ENOSPC; the guest gets an error response.</summary>
    NoSpace,

    /// <summary>The host write stores only part of the data (then reports the shortfall); the guest gets an error response.</summary>
    ShortWrite,

    /// <summary>The host I/O or the notification is held back for <see cref="FaultDecision.Delay"/> of virtual time.</summary>
    Delay,

    /// <summary>The notification is lost.</summary>
    Drop,
}
