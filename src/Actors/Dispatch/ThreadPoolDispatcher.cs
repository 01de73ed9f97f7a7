namespace ActorVisor.Actors;

/// <summary>Runs mailboxes on the .NET thread pool, preferring the current worker's local queue; no allocation per schedule.</summary>
internal sealed class ThreadPoolDispatcher(string id, int throughput) : MessageDispatcher(id, throughput)
{
    public override void Execute(Mailbox mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: true);
}
