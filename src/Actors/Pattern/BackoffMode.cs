namespace ActorVisor.Actors;

/// <summary>When a <see cref="BackoffSupervisor"/> starts its child again.</summary>
public enum BackoffMode
{
    /// <summary>Whenever the child stops, for any reason; failures of the child are handled by the default strategy first.</summary>
    OnStop,

    /// <summary>Only when the child fails (the failed child is stopped and started again later); if it stops normally the supervisor stops too.</summary>
    OnFailure,
}
