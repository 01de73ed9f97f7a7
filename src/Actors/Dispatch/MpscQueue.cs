namespace ActorVisor.Actors;

/// <summary>
/// Dmitry Vyukov's multi-producer single-consumer queue, intrusive on <see cref="Envelope.Next"/>.
/// Producers swap the head with one atomic exchange and then link the previous head; the single
/// consumer walks from the tail without atomics. Invariant: <c>_tail</c> is always a consumed node
/// (the stub), and a node is visible to the consumer only once its predecessor links it, so
/// <see cref="HasItems"/> may briefly say yes while <see cref="TryDequeue"/> says no.
/// </summary>
internal sealed class MpscQueue
{
    private Envelope _head;
    private Envelope _tail;

    public MpscQueue()
    {
        var stub = new Envelope();
        _head = stub;
        _tail = stub;
    }

    /// <summary>Gets whether a producer has swapped in a node the consumer has not taken; consumer only.</summary>
    public bool HasItems => !ReferenceEquals(Volatile.Read(ref _head), _tail);

    /// <summary>Adds a node; safe from any number of threads. The exchange is a full fence.</summary>
    public void Enqueue(Envelope node)
    {
        var previous = Interlocked.Exchange(ref _head, node);
        Volatile.Write(ref previous.Next, node);
    }

    /// <summary>Takes the oldest linked message; consumer thread only.</summary>
    public bool TryDequeue(out object message, out IActorRef? sender)
    {
        var next = Volatile.Read(ref _tail.Next);
        if (next is null)
        {
            message = null!;
            sender = null;
            return false;
        }
        message = next.Message!;
        sender = next.Sender;
        next.Message = null;
        next.Sender = null;
        _tail = next;
        return true;
    }
}
