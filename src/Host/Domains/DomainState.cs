namespace ActorVisor.Host.Domains;

/// <summary>Where a domain is in its lifecycle: created paused, running and paused in turn, shut down or crashed, destroyed.</summary>
public enum DomainState
{
    /// <summary>Built but not running: just created, or paused by the toolstack.</summary>
    Paused,

    /// <summary>Its vCPUs are handed slices by the scheduler.</summary>
    Running,

    /// <summary>The guest shut down (poweroff, reboot, ...) and the domain is kept.</summary>
    Shutdown,

    /// <summary>The guest crashed, or a host fault crashed it, and the domain is kept.</summary>
    Crashed,

    /// <summary>Torn down; only its record remains.</summary>
    Destroyed,
}
