using System.Runtime.InteropServices;

namespace ActorVisor.Actors;

/// <summary>
/// Dmitry Vyukov's multi-producer single-consumer queue, intrusive on <see cref="Envelope.Next"/>.
/// Producers swap the head with one atomic exchange and then link the previous head; the single
/// consumer walks from the tail without atomics. Invariant: <c>_tail</c> is always a consumed node
/// (the stub), and a node is visible to the consumer only once its predecessor links it, so
/// <see cref="HasItems"/> may briefly say yes while <see cref="TryDequeue"/> says no.
/// Head (written by producers) and tail (written by the consumer) sit on different cache lines.
/// </summary>
internal sealed class MpscQueue
{
    private Ends _ends;

    public MpscQueue()
    {
        var stub = new Envelope();
        _ends.Head = stub;
        _ends.Tail = stub;
    }

    /// <summary>Gets whether a producer has swapped in a node the consumer has not taken; consumer only.</summary>
    public bool HasItems => !ReferenceEquals(Volatile.Read(ref _ends.Head), _ends.Tail);

    /// <summary>Adds a node; safe from any number of threads. The exchange is a full fence.</summary>
    public void Enqueue(Envelope node)
    {
        var previous = Interlocked.Exchange(ref _ends.Head, node);
        Volatile.Write(ref previous.Next, node);
    }

    /// <summary>Takes the oldest linked message; consumer thread only.</summary>
    public bool TryDequeue(out object message, out IActorRef? sender)
    {
        var tail = _ends.Tail;
        var next = Volatile.Read(ref tail.Next);
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
        _ends.Tail = next;

        // Unlink the consumed node: if it was promoted to an older generation, its link would keep
        // every later (young) node alive through gen0 collections.
        tail.Next = null;
        return true;
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Ends
    {
        [FieldOffset(64)]
        public Envelope Head;

        [FieldOffset(128)]
        public Envelope Tail;
    }
}
