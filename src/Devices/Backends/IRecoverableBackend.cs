using ActorVisor.Devices.Faults;

namespace ActorVisor.Devices.Backends;

/// <summary>
/// A back-end that survives its own crash without the front-end noticing more than a delay. Its
/// host restarts it after a failure (an injected crash, a watchdog timeout, a host bug) and calls
/// <see cref="Reattach"/> instead of disconnecting: the front-end's rings, grants and event channels
/// outlive the back-end, so it re-maps the same rings, forgets its private ring indices and rebuilds
/// them from the shared ring (every request between the shared rsp_prod and req_prod is taken again;
/// one that was consumed but not answered before the crash is replayed), answers them and notifies
/// the front-end once. No response is published twice: a response is published (rsp_prod moved)
/// in the same step that writes it, so a request is either answered on the shared ring or still
/// there to be taken.
/// </summary>
public interface IRecoverableBackend
{
    /// <summary>The fault plan as this device sees it; <see cref="NoFaults"/> until the host sets it.</summary>
    IFaultSite Faults { get; set; }

    /// <summary>
    /// True while the back-end knows of requests it has not answered: it hangs (an injected hang),
    /// holds work back (an injected delay), or its rings hold requests it has not taken. The host's
    /// watchdog restarts a back-end that stays so without progress.
    /// </summary>
    bool HasUnansweredWork { get; }

    /// <summary>Requests the front-end published and the back-end has not answered (taken or not); the host reads it as the connection ends, for the no-io-lost check.</summary>
    int UnansweredRequests { get; }

    /// <summary>A count that grows with every request answered (the watchdog's measure of progress).</summary>
    long Progress { get; }

    /// <summary>Virtual nanoseconds the back-end asked to hold its work back (an injected delay), then 0 until it asks again; the host calls <see cref="ResumeHeld"/> after that long.</summary>
    long TakeHoldBackNs();

    /// <summary>The hold-back time is over: carry on with the work held back and service the rings; returns the requests handled.</summary>
    int ResumeHeld();

    /// <summary>
    /// Takes up the connection again after a restart (see the type's remarks) with the front-end's
    /// <paramref name="link"/> as it stands; returns how many requests were on the rings to take
    /// again, or why recovery is impossible (the image is gone). On failure the back-end has
    /// answered what it could with errors and is disconnected; the host then closes the device.
    /// </summary>
    RecoveryResult Reattach(FrontendLink link);
}

/// <summary>The outcome of <see cref="IRecoverableBackend.Reattach"/>: the requests taken again from the rings, or why the device cannot go on.</summary>
public readonly record struct RecoveryResult(int Replayed, string? Failure)
{
    public bool Recovered => Failure is null;

    public static RecoveryResult Failed(string reason) => new(0, reason);
}
