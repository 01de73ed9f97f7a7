namespace ActorVisor.Host.Domains;

/// <summary>What happens to a domain: the toolstack's commands and what its guest or the host does.</summary>
public enum DomainEvent
{
    /// <summary>The toolstack unpauses it.</summary>
    Unpause,

    /// <summary>The toolstack pauses it.</summary>
    Pause,

    /// <summary>Its guest shut down (poweroff, reboot, suspend, ...).</summary>
    GuestShutdown,

    /// <summary>Its guest crashed (an unhandled fault, a crash shutdown, a triple fault).</summary>
    GuestCrash,

    /// <summary>A host exception failed its actors.</summary>
    HostFault,

    /// <summary>Its on_poweroff/on_reboot/on_crash action restarted it: a new incarnation runs.</summary>
    Restart,

    /// <summary>The toolstack, or its lifecycle action, destroyed it.</summary>
    Destroy,
}

/// <summary>
/// The lifecycle of a domain as one transition table over <see cref="DomainState"/>. A domain is
/// created <see cref="DomainState.Paused"/>; <see cref="DomainState.Destroyed"/> is final.
/// <code>
/// Paused   --Unpause-->        Running
/// Running  --Pause-->          Paused
/// Paused, Running                    --GuestShutdown--> Shutdown
/// Paused, Running                    --GuestCrash-->    Crashed
/// Paused, Running, Shutdown, Crashed --HostFault-->     Crashed
/// Shutdown, Crashed                  --Restart-->       Running
/// Paused, Running, Shutdown, Crashed --Destroy-->       Destroyed
/// </code>
/// Any other pair is refused: the toolstack answers it with a NotAllowed naming the state.
/// </summary>
public static class DomainLifecycle
{
    private static readonly Dictionary<(DomainState From, DomainEvent Event), DomainState> Table = Build();

    /// <summary>The state <paramref name="from"/> goes to on <paramref name="domainEvent"/>, or false when the table refuses the pair.</summary>
    public static bool TryNext(DomainState from, DomainEvent domainEvent, out DomainState to) =>
        Table.TryGetValue((from, domainEvent), out to);

    /// <summary>True in the states whose domain has a running incarnation the toolstack may change (memory, injected faults).</summary>
    public static bool IsLive(DomainState state) => state is DomainState.Running or DomainState.Paused;

    private static Dictionary<(DomainState, DomainEvent), DomainState> Build()
    {
        var table = new Dictionary<(DomainState, DomainEvent), DomainState>
        {
            [(DomainState.Paused, DomainEvent.Unpause)] = DomainState.Running,
            [(DomainState.Running, DomainEvent.Pause)] = DomainState.Paused,
        };
        foreach (var live in new[] { DomainState.Paused, DomainState.Running })
        {
            table[(live, DomainEvent.GuestShutdown)] = DomainState.Shutdown;
            table[(live, DomainEvent.GuestCrash)] = DomainState.Crashed;
        }

        foreach (var kept in new[] { DomainState.Shutdown, DomainState.Crashed })
        {
            table[(kept, DomainEvent.Restart)] = DomainState.Running;
        }

        foreach (var state in new[] { DomainState.Paused, DomainState.Running, DomainState.Shutdown, DomainState.Crashed })
        {
            table[(state, DomainEvent.HostFault)] = DomainState.Crashed;
            table[(state, DomainEvent.Destroy)] = DomainState.Destroyed;
        }

        return table;
    }
}
