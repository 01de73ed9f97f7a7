namespace ActorVisor.Actors;

/// <summary>
/// The dispatcher of a deterministic system: it never starts a thread. A mailbox that becomes
/// runnable is queued with the current virtual time and a tie-break drawn from the runtime's
/// seeded random source; <see cref="DeterministicRuntime"/> runs the queue on the caller's thread.
/// </summary>
internal sealed class DeterministicDispatcher(string id, int throughput, DeterministicRuntime runtime) : MessageDispatcher(id, throughput)
{
    public override void Execute(Mailbox mailbox) => runtime.Enqueue(mailbox);
}
