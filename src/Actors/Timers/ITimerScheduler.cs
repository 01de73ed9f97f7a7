namespace ActorVisor.Actors;

/// <summary>
/// Keyed timers owned by one actor. Starting a timer with a key that is active replaces it, and
/// a message of the replaced or cancelled timer is not delivered even if it was already queued.
/// All timers are cancelled when the actor restarts or stops.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> to Self once after <paramref name="timeout"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan timeout);

    /// <summary>Sends <paramref name="message"/> to Self every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Sends <paramref name="message"/> to Self after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    bool IsTimerActive(object key);

    void Cancel(object key);

    void CancelAll();
}
