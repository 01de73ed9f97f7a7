namespace ActorVisor.Actors;

/// <summary>Set messages aside while the actor is not ready for them, and put them back later in their original order.</summary>
public interface IStash
{
    /// <summary>Sets the current message aside; stashing the same message twice is an error.</summary>
    void Stash();

    /// <summary>Puts the oldest stashed message back at the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Puts every stashed message back at the front of the mailbox, oldest first.</summary>
    void UnstashAll();

    /// <summary>Drops the stash and returns the messages it held.</summary>
    IReadOnlyList<object> ClearStash();
}
