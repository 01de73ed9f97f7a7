namespace ActorVisor.Actors;

/// <summary>Runs mailboxes on threads. <see cref="Throughput"/> is how many user messages one run processes before yielding the thread.</summary>
internal abstract class MessageDispatcher(string id, int throughput)
{
    public string Id { get; } = id;

    public int Throughput { get; } = throughput;

    /// <summary>Arranges for <see cref="Mailbox.Run"/> to be called; the mailbox already holds its Scheduled bit.</summary>
    public abstract void Execute(Mailbox mailbox);

    public virtual void Attach(Mailbox mailbox)
    {
    }

    public virtual void Detach(Mailbox mailbox)
    {
    }

    public virtual void Shutdown()
    {
    }
}
