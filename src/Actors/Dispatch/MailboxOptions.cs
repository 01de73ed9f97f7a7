namespace ActorVisor.Actors;

/// <summary>
/// Mailbox shape. Unbounded by default. A bounded mailbox holds at most <see cref="Capacity"/> user
/// messages; the overflow policy is fixed and deliberate: a message that arrives when the mailbox
/// is full is not enqueued, it goes to dead letters (counted and published), and the sender is
/// never blocked. System messages are never bounded.
/// </summary>
public sealed record MailboxOptions
{
    /// <summary>Gets the unbounded mailbox.</summary>
    public static MailboxOptions Unbounded { get; } = new();

    /// <summary>Gets the most user messages a bounded mailbox holds; 0 means unbounded.</summary>
    public int Capacity { get; init; }

    /// <summary>Returns a bounded mailbox of <paramref name="capacity"/> messages.</summary>
    public static MailboxOptions Bounded(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        return new MailboxOptions { Capacity = capacity };
    }
}
