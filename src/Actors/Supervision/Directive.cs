namespace ActorVisor.Actors;

/// <summary>What a supervisor does with a failed child.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; continue with the next message.</summary>
    Resume,

    /// <summary>Replace the instance with a fresh one from its Props; the mailbox is kept.</summary>
    Restart,

    /// <summary>Stop the child permanently.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, letting its own supervisor decide.</summary>
    Escalate,
}
