namespace ActorVisor.Host.Iopm;

/// <summary>
/// How a device's front-end (a send on its channel, on the guest's thread) or its back-end (work of
/// its own) asks the device actor for a service call: one <see cref="FrontendNotified"/> at a time,
/// folding the rings that arrive before it is handled. It belongs to the device, not to one
/// incarnation of its actor, so that the ports bound before a restart still reach the restarted
/// actor (whose reference stays the same).
/// </summary>
public sealed class DeviceDoorbell
{
    private readonly IopmLoad _load;
    private readonly IopmLane _lane;
    private Akka.Actor.IActorRef? _actor;
    private int _posted;

    public DeviceDoorbell(IopmLoad load, IopmLane lane)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(lane);
        _load = load;
        _lane = lane;
    }

    /// <summary>The device actor, once made (rings before that cannot happen: nothing is bound yet).</summary>
    public Akka.Actor.IActorRef Actor
    {
        set => Volatile.Write(ref _actor, value);
    }

    /// <summary>Asks for a service call unless one is asked for already.</summary>
    public void Ring()
    {
        if (Volatile.Read(ref _actor) is { } actor && Interlocked.Exchange(ref _posted, 1) == 0)
        {
            _load.Posted();
            _lane.Tell(actor, FrontendNotified.Instance);
        }
    }

    /// <summary>The service call begins: a ring from now on asks for another.</summary>
    public void Answered() => Volatile.Write(ref _posted, 0);
}
